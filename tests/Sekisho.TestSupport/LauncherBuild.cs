using Xunit;

namespace Sekisho.TestSupport;

/// <summary>The executable <c>./sekisho</c> builds and runs (native where a C compiler is present), built once per test run.</summary>
/// <remarks>
/// One build for every test class of an assembly that needs it: two launchers building at once would share the
/// projects' obj folders.
/// </remarks>
public static class LauncherBuild
{
    private static readonly Lazy<string> s_binary = new(Build);

    /// <summary>The path of the built executable (<c>.build/sekisho/sekisho</c>), building it first when needed.</summary>
    public static string Binary => s_binary.Value;

    /// <summary>The kind of the last build, as the launcher's stamp names it: "native" or "readytorun".</summary>
    public static string Kind
    {
        get
        {
            _ = Binary;
            return File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, ".build", "sekisho", ".stamp")).Split(' ')[0].Trim();
        }
    }

    private static string Build()
    {
        string root = SharedData.RepositoryRoot;
        var built = KernelEnvironment.Exec(Path.Combine(root, "sekisho"), ["version"], timeout: TimeSpan.FromMinutes(10));
        Assert.True(built.ExitCode == 0, $"./sekisho could not build: {built.Stderr}");
        return Path.Combine(root, ".build", "sekisho", "sekisho");
    }
}
