using System.Runtime.InteropServices;

namespace Sekisho.Iptables.State;

/// <summary>Writes files so that readers see the old content or the new, never a part.</summary>
/// <remarks>Temporary file in the same directory, write, <c>fsync</c>, <c>rename</c> over the target, <c>fsync</c> the directory.</remarks>
public static partial class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> atomically and durably.</summary>
    public static void Write(string path, byte[] content) => Write(path, stream => stream.Write(content));

    /// <summary>
    /// Replaces <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is given,
    /// atomically and durably; if <paramref name="write"/> throws, the old file is left as it was.
    /// </summary>
    public static void Write(string path, Action<Stream> write) => Write(path, write, null);

    /// <summary>
    /// As <see cref="Write(string, Action{Stream})"/>, the new file created with <paramref name="mode"/> (for
    /// instance 0600 for a saved ruleset, as <c>service iptables save</c> leaves it), never readable by others meanwhile.
    /// </summary>
    public static void Write(string path, Action<Stream> write, UnixFileMode? mode)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? ".";
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16,
            };
            if (mode is { } createMode)
            {
                options.UnixCreateMode = createMode;
                options.Mode = FileMode.CreateNew;
                File.Delete(temporary); // a leftover of a crash keeps its mode otherwise
            }

            using (var stream = new FileStream(temporary, options))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
            SyncDirectory(directory);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }

            throw;
        }
    }

    private static void SyncDirectory(string directory)
    {
        int fd = open(directory, 0);
        if (fd >= 0)
        {
            _ = fsync(fd);
            _ = close(fd);
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc")]
    private static partial int fsync(int fd);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
