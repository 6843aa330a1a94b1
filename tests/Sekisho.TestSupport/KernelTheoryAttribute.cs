using Xunit;
namespace Sekisho.TestSupport;

/// <summary>A data-driven kernel comparison; skipped like <see cref="KernelFactAttribute"/>.</summary>
public sealed class KernelTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets the skip reason from the environment.</summary>
    public KernelTheoryAttribute()
    {
        Skip = KernelEnvironment.SkipReason;
    }
}
