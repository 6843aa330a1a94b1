using System.Globalization;

namespace Sekisho.Live.Control;

/// <summary>The service's configuration file: which interfaces the daemon guards, its rules file, its fail mode.</summary>
/// <remarks>
/// <para><c>/etc/sekisho/sekisho.conf</c>, or the file <c>$SEKISHO_CONFIG</c> names. One <c>key = value</c> per
/// line; <c>#</c> starts a comment line; blank lines are ignored; keys are case-sensitive:</para>
/// <code>
/// interfaces = eth0 eth1            # required: names separated by spaces or commas
/// rules = /etc/sysconfig/iptables   # the saved ruleset loaded at start and written by `service save`
/// fail = open                       # open | closed: traffic while no daemon runs
/// </code>
/// <para>The values become the options of <c>sekisho daemon --interface IF ... --rules FILE --fail MODE</c>.</para>
/// </remarks>
public sealed record DaemonConfig(IReadOnlyList<string> Interfaces, string RulesFile, string FailMode)
{
    /// <summary>The configuration file's usual place.</summary>
    public const string DefaultPath = "/etc/sekisho/sekisho.conf";

    /// <summary>The rules file when the configuration names none (CentOS' iptables-services).</summary>
    public const string DefaultRulesFile = "/etc/sysconfig/iptables";

    /// <summary>The configuration file: <c>$SEKISHO_CONFIG</c>, else <see cref="DefaultPath"/>.</summary>
    public static string FilePath()
    {
        string? configured = Environment.GetEnvironmentVariable("SEKISHO_CONFIG");
        return string.IsNullOrEmpty(configured) ? DefaultPath : configured;
    }

    /// <summary>The configuration with no file: no interfaces, the default rules file, fail open.</summary>
    public static DaemonConfig Default { get; } = new([], DefaultRulesFile, "open");

    /// <summary>Reads the configuration file; <see cref="Default"/> when it does not exist. A bad line throws <see cref="FormatException"/>.</summary>
    public static DaemonConfig Load(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), path) : Default;

    /// <summary>Parses a configuration's text; errors name <paramref name="source"/> and the line.</summary>
    public static DaemonConfig Parse(string text, string source)
    {
        var config = Default;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw Error(source, i, $"expected `key = value', found `{line}'");
            }

            string key = line[..equals].Trim();
            string value = line[(equals + 1)..].Trim();
            if (!seen.Add(key))
            {
                throw Error(source, i, $"`{key}' is set twice");
            }

            config = key switch
            {
                "interfaces" => config with { Interfaces = ParseInterfaces(value, source, i) },
                "rules" => value.Length > 0 && Path.IsPathRooted(value)
                    ? config with { RulesFile = value }
                    : throw Error(source, i, "`rules' needs an absolute file name"),
                "fail" => value is "open" or "closed"
                    ? config with { FailMode = value }
                    : throw Error(source, i, $"`fail' is `open' or `closed', not `{value}'"),
                _ => throw Error(source, i, $"unknown key `{key}' (known: interfaces, rules, fail)"),
            };
        }

        return config;
    }

    /// <summary>The options of <c>sekisho daemon</c> for this configuration.</summary>
    public IReadOnlyList<string> DaemonArguments()
    {
        var args = new List<string>();
        foreach (string name in Interfaces)
        {
            args.Add("--interface");
            args.Add(name);
        }

        args.AddRange(["--rules", RulesFile, "--fail", FailMode]);
        return args;
    }

    /// <summary>The configuration in the file's own format.</summary>
    public string Format() =>
        string.Create(CultureInfo.InvariantCulture, $"interfaces = {string.Join(' ', Interfaces)}\nrules = {RulesFile}\nfail = {FailMode}\n");

    private static string[] ParseInterfaces(string value, string source, int line)
    {
        string[] names = value.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        foreach (string name in names)
        {
            // IFNAMSIZ is 16 with the terminating NUL; '/' and ':' are not allowed in interface names either.
            if (name.Length > 15 || name.Contains('/', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal))
            {
                throw Error(source, line, $"`{name}' is not an interface name");
            }
        }

        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            throw Error(source, line, "an interface is named twice");
        }

        return names;
    }

    private static FormatException Error(string source, int index, string message) =>
        new($"{source}:{index + 1}: {message}");
}
