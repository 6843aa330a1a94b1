using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>
/// The systemd unit in <c>contrib/systemd</c>: systemd itself checks it (<c>systemd-analyze verify</c>), with its
/// commands pointed at the <c>sekisho</c> built beside the tests; systemd cannot run as the init system here, so
/// starting the unit is left to a real host.
/// </summary>
public sealed class SystemdUnitTests
{
    [KernelFact]
    public void Unit_passes_systemd_analyze_verify()
    {
        string? analyze = KernelEnvironment.FindOnPath("systemd-analyze");
        Assert.True(analyze is not null, "systemd-analyze is needed (apt-get install systemd)");
        string unit = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "contrib", "systemd", "sekisho.service"));
        Assert.Contains("ExecStart=/usr/local/bin/sekisho service daemon", unit, StringComparison.Ordinal);
        Assert.Contains("Type=notify", unit, StringComparison.Ordinal);

        string directory = Directory.CreateTempSubdirectory("sekisho-unit-").FullName;
        try
        {
            string copy = Path.Combine(directory, "sekisho.service");
            File.WriteAllText(copy, unit.Replace("/usr/local/bin/sekisho", DaemonProcess.Executable, StringComparison.Ordinal));
            var result = KernelEnvironment.Exec(analyze, ["verify", copy]);
            Assert.True(result.ExitCode == 0 && result.Stderr.Trim().Length == 0, result.ToString());

            // The check is real: a misspelt directive fails it.
            File.WriteAllText(copy, unit.Replace("Type=notify", "Typ=notify", StringComparison.Ordinal)
                .Replace("/usr/local/bin/sekisho", DaemonProcess.Executable, StringComparison.Ordinal));
            var broken = KernelEnvironment.Exec(analyze, ["verify", copy]);
            Assert.Contains("Typ", broken.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
