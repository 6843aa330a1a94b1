namespace Sekisho.Netfilter.Extensions;

/// <summary>Parsing state of one target; builds the target record at the end.</summary>
public abstract class TargetParser : ExtensionParser
{
    /// <summary>The target as parsed.</summary>
    public abstract TargetInfo Build();
}
