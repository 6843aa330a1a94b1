using System.Collections;
using System.Collections.Immutable;

namespace Sekisho.Netfilter.Extensions;

/// <summary>An immutable array with value equality, for fixed-size arrays inside match and target records.</summary>
/// <remarks>
/// Kernel structures hold arrays (multiport's ports, a MAC address); records compare them element by element
/// so that rule comparison stays libiptc's byte comparison.
/// </remarks>
public readonly struct ValueArray<T> : IEquatable<ValueArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    private readonly ImmutableArray<T> _items;

    /// <summary>Wraps the given items.</summary>
    public ValueArray(IEnumerable<T> items)
    {
        _items = items.ToImmutableArray();
    }

    /// <summary>The items.</summary>
    public ImmutableArray<T> Items => _items.IsDefault ? ImmutableArray<T>.Empty : _items;

    /// <inheritdoc />
    public int Count => Items.Length;

    /// <inheritdoc />
    public T this[int index] => Items[index];

    /// <summary>Creates a value array.</summary>
    public static ValueArray<T> Of(params T[] items) => new(items);

    /// <inheritdoc />
    public bool Equals(ValueArray<T> other) => Items.AsSpan().SequenceEqual(other.Items.AsSpan());

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ValueArray<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <summary>Element-wise equality.</summary>
    public static bool operator ==(ValueArray<T> left, ValueArray<T> right) => left.Equals(right);

    /// <summary>Element-wise inequality.</summary>
    public static bool operator !=(ValueArray<T> left, ValueArray<T> right) => !left.Equals(right);

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
