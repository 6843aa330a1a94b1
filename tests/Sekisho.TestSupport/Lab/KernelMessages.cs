using System.Runtime.InteropServices;
using System.Text;

namespace Sekisho.TestSupport.Lab;

/// <summary>Reads the kernel log (<c>/dev/kmsg</c>) from the moment it was opened: level and text of each record.</summary>
public sealed unsafe class KernelMessages : IDisposable
{
    private readonly int _fd;

    /// <summary>Opens the log positioned at its end.</summary>
    public KernelMessages()
    {
        _fd = Native.open("/dev/kmsg", Native.ReadOnly | Native.NonBlocking);
        if (_fd < 0)
        {
            throw new InvalidOperationException($"open /dev/kmsg failed: errno {Marshal.GetLastPInvokeError()}");
        }

        Native.lseek(_fd, 0, Native.SeekEnd);
    }

    /// <summary>The records written since the last call: syslog level and message.</summary>
    public List<(int Level, string Message)> ReadNew()
    {
        var records = new List<(int, string)>();
        var buffer = new byte[8192];
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = Native.read(_fd, p, buffer.Length);
            }

            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Native.EPipe || errno == Native.EIntr)
                {
                    continue;
                }

                break;
            }

            // "PRIORITY,SEQUENCE,MICROSECONDS,FLAGS;MESSAGE\n" followed by optional " KEY=VALUE" continuation lines.
            string record = Encoding.UTF8.GetString(buffer, 0, (int)n);
            int semicolon = record.IndexOf(';');
            int comma = record.IndexOf(',');
            if (semicolon < 0 || comma < 0)
            {
                continue;
            }

            int priority = int.Parse(record.AsSpan(0, comma), System.Globalization.CultureInfo.InvariantCulture);
            int end = record.IndexOf('\n', semicolon);
            string message = Unescape(record[(semicolon + 1)..(end < 0 ? record.Length : end)]);
            records.Add((priority & 7, message));
        }

        return records;
    }

    // /dev/kmsg escapes non-printable bytes as \xNN.
    private static string Unescape(string text)
    {
        if (!text.Contains("\\x", StringComparison.Ordinal))
        {
            return text;
        }

        var output = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length + 0 && text[i + 1] == 'x'
                && byte.TryParse(text.AsSpan(i + 2, 2), System.Globalization.NumberStyles.HexNumber, null, out byte value))
            {
                output.Append((char)value);
                i += 3;
            }
            else
            {
                output.Append(text[i]);
            }
        }

        return output.ToString();
    }

    /// <inheritdoc />
    public void Dispose() => Native.close(_fd);
}
