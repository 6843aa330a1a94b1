using Sekisho.Iptables.State;

namespace Sekisho.Live.Daemon;

/// <summary>
/// What the daemon changed on the host, kept in the run directory so that a later <c>sekisho daemon --cleanup</c>
/// (after a crash) or the next start can undo or adopt it: the daemon's namespace, the fail mode, and the managed
/// interfaces' original configuration.
/// </summary>
/// <remarks>
/// Two files: <c>interposition</c> (<c>netns NAME</c>, <c>fail open|closed</c>) and <c>interfaces</c> (the host
/// description of the interfaces, in the state directory's host format). Written before the first interface moves.
/// </remarks>
internal sealed record InterpositionRecord(string Namespace, FailMode Mode, HostDescription Interfaces)
{
    private const string Header = "# Sekisho daemon interposition 1";

    /// <summary>Writes the record (atomically, each file).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        WriteAtomic(Path.Combine(directory, "interfaces"), Interfaces.Format());
        WriteAtomic(Path.Combine(directory, "interposition"),
            $"{Header}\nnetns {Namespace}\nfail {(Mode == FailMode.Open ? "open" : "closed")}\n");
    }

    /// <summary>The record in <paramref name="directory"/>, or null when there is none.</summary>
    public static InterpositionRecord? Load(string directory)
    {
        string path = Path.Combine(directory, "interposition");
        string interfaces = Path.Combine(directory, "interfaces");
        if (!File.Exists(path) || !File.Exists(interfaces))
        {
            return null;
        }

        string? name = null;
        var mode = FailMode.Open;
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.StartsWith("netns ", StringComparison.Ordinal))
            {
                name = line[6..].Trim();
            }
            else if (line.StartsWith("fail ", StringComparison.Ordinal))
            {
                mode = line[5..].Trim() == "closed" ? FailMode.Closed : FailMode.Open;
            }
        }

        if (name is null)
        {
            throw new InvalidDataException($"{path}: no netns line");
        }

        return new InterpositionRecord(name, mode, HostDescription.Parse(File.ReadAllText(interfaces), interfaces));
    }

    /// <summary>Removes the record.</summary>
    public static void Delete(string directory)
    {
        File.Delete(Path.Combine(directory, "interposition"));
        File.Delete(Path.Combine(directory, "interfaces"));
    }

    private static void WriteAtomic(string path, string text)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
