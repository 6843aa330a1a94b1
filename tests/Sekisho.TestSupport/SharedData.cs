namespace Sekisho.TestSupport;

/// <summary>Locates the project's shared data (<c>../shared</c> next to the repository).</summary>
public static class SharedData
{
    /// <summary>The repository root (the directory holding Sekisho.slnx), found from the test binaries upwards.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Sekisho.slnx")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root.");
        }
    }

    /// <summary>The shared directory, or null when it is not present.</summary>
    public static string? SharedDirectory
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("SEKISHO_SHARED_DIR");
            if (!string.IsNullOrEmpty(configured))
            {
                return Directory.Exists(configured) ? configured : null;
            }

            string candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
            return Directory.Exists(candidate) ? candidate : null;
        }
    }
}
