using Xunit;
namespace Sekisho.TestSupport;

/// <summary>A test that compares Sekisho with the kernel: skipped with the reason where the kernel is unavailable, unless required.</summary>
public sealed class KernelFactAttribute : FactAttribute
{
    /// <summary>Sets the skip reason from the environment.</summary>
    public KernelFactAttribute()
    {
        Skip = KernelEnvironment.SkipReason;
    }
}
