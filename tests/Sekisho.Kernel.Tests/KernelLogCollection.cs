namespace Sekisho.Kernel.Tests;

/// <summary>
/// Tests that compare dmesg with Sekisho's kernel log. dmesg is shared by the whole machine and the kernel
/// rate-limits these messages, so such tests run one at a time and alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelLogCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Kernel log";
}
