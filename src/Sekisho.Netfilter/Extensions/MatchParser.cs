namespace Sekisho.Netfilter.Extensions;

/// <summary>Parsing state of one match; builds the match record at the end.</summary>
public abstract class MatchParser : ExtensionParser
{
    /// <summary>The match as parsed.</summary>
    public abstract MatchInfo Build();
}
