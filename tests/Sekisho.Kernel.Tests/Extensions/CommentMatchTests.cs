using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The comment match: quoting in the save form, the 255-byte limit, errors, listings.</summary>
public sealed class CommentMatchTests
{
    [KernelFact]
    public void Comment_Texts_ListAndSaveLikeKernel()
    {
        string long255 = new('x', 255);
        string long300 = new('y', 300);
        using var diff = new Differential();
        diff.Steps($"""
            iptables -A OUTPUT -m comment --comment simple -j ACCEPT
            iptables -A OUTPUT -m comment --comment "hello world"
            iptables -A OUTPUT -m comment --comment 'a"b\c'"'"
            iptables -A OUTPUT -m comment --comment "/* nested */"
            iptables -A OUTPUT -m comment --comment x -m comment --comment y
            iptables -A OUTPUT -p tcp -m comment --comment foo -m tcp --dport 22
            iptables -A OUTPUT -m comment --comment ""
            iptables -A OUTPUT -m comment --comment {long255}
            iptables -A OUTPUT -m comment --comment {long300}
            iptables -A OUTPUT -m comment --comment "über"
            iptables -A OUTPUT -m comment
            iptables -A OUTPUT -m comment --comment
            iptables -A OUTPUT -m comment ! --comment x
            iptables -A OUTPUT -m comment --comment a --comment b
            iptables -C OUTPUT -m comment --comment "hello world"
            iptables -C OUTPUT -m comment --comment "hello  world"
            iptables -C OUTPUT -m comment --comment {long300}
            iptables -D OUTPUT -m comment --comment simple -j ACCEPT
            iptables -m comment -h
            """);
        diff.CompareListings();
    }
}
