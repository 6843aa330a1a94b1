namespace Sekisho.Cli;

/// <summary>The name the program was started under (<c>argv[0]</c>), which decides the command of a multi-call binary.</summary>
internal static class ProgramName
{
    /// <summary>The base name of <c>argv[0]</c> as the operating system passed it.</summary>
    public static string Invoked()
    {
        try
        {
            // .NET reports the managed assembly path; the kernel keeps the real argv[0].
            byte[] cmdline = File.ReadAllBytes("/proc/self/cmdline");
            int end = Array.IndexOf(cmdline, (byte)0);
            string argv0 = System.Text.Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end);
            return Path.GetFileName(argv0);
        }
        catch (IOException)
        {
            return "sekisho";
        }
    }
}
