using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Parsing;

/// <summary>One entry of getopt_long's option table.</summary>
/// <remarks>glibc's <c>struct option</c> (without the flag pointer, which iptables never uses).</remarks>
public readonly record struct LongOption(string Name, ArgumentKind HasArgument, int Value);
