namespace Sekisho.Live.Control;

/// <summary>A control message that breaks the protocol: truncated, too large, or not a request at all.</summary>
public sealed class ControlProtocolException : Exception
{
    /// <summary>Creates the exception with the reason.</summary>
    public ControlProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ControlProtocolException()
    {
    }

    /// <summary>Creates the exception with the reason and its cause.</summary>
    public ControlProtocolException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
