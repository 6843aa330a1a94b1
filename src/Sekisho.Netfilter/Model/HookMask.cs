namespace Sekisho.Netfilter.Model;

/// <summary>A set of hooks.</summary>
[Flags]
public enum HookMask
{
    /// <summary>No hook.</summary>
    None = 0,

    /// <summary>PREROUTING.</summary>
    PreRouting = 1 << Hook.PreRouting,

    /// <summary>INPUT.</summary>
    LocalIn = 1 << Hook.LocalIn,

    /// <summary>FORWARD.</summary>
    Forward = 1 << Hook.Forward,

    /// <summary>OUTPUT.</summary>
    LocalOut = 1 << Hook.LocalOut,

    /// <summary>POSTROUTING.</summary>
    PostRouting = 1 << Hook.PostRouting,

    /// <summary>All five hooks.</summary>
    All = PreRouting | LocalIn | Forward | LocalOut | PostRouting,
}
