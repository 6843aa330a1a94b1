using Sekisho.Netfilter.Classifier;

namespace Sekisho.Iptables.Tests.Classifier;

/// <summary>
/// The tuple classifier against the definition of its answer (the first box, in priority order, at or after a
/// priority, that holds the packet), over seeded random rule sets, lookups and sequences of inserts and deletes.
/// </summary>
public sealed class TupleClassifierTests
{
    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 400)]
    [InlineData(3, 3000)]
    public void FirstCandidate_RandomBoxes_AsBruteForce(int seed, int rules)
    {
        var random = new Random(seed);
        var boxes = Enumerable.Range(0, rules).Select(i => RandomBox(random, i * 16)).ToList();
        var classifier = TupleClassifier.Build(boxes.ToArray());
        Assert.Equal(rules, classifier.Count);
        for (int i = 0; i < 3000; i++)
        {
            var key = KeyNear(random, boxes);
            int from = random.Next(3) == 0 ? random.Next(rules * 16) : 0;
            Assert.Equal(BruteForce(boxes, key, from), classifier.FirstCandidate(key, from));
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void InsertRemove_RandomSequence_StaysAsBruteForce(int seed)
    {
        var random = new Random(seed);
        var boxes = Enumerable.Range(0, 500).Select(i => RandomBox(random, i * 1024)).ToList();
        var classifier = TupleClassifier.Build(boxes.ToArray());
        for (int step = 0; step < 1500; step++)
        {
            if (random.Next(2) == 0 && boxes.Count > 0)
            {
                var victim = boxes[random.Next(boxes.Count)];
                Assert.True(classifier.Remove(victim));
                boxes.Remove(victim);
                Assert.False(classifier.Remove(victim));
            }
            else
            {
                int priority;
                do
                {
                    priority = random.Next(600 * 1024);
                }
                while (boxes.Any(b => b.Priority == priority));
                var box = RandomBox(random, priority);
                classifier.Insert(box);
                boxes.Add(box);
            }

            Assert.Equal(boxes.Count, classifier.Count);
            for (int i = 0; i < 10; i++)
            {
                var key = KeyNear(random, boxes);
                int from = random.Next(2) == 0 ? random.Next(600 * 1024) : 0;
                Assert.Equal(BruteForce(boxes, key, from), classifier.FirstCandidate(key, from));
            }
        }
    }

    [Fact]
    public void Insert_UsedPriority_Throws()
    {
        var classifier = TupleClassifier.Build([RuleBox.Any(5)]);
        Assert.Throws<ArgumentException>(() => classifier.Insert(RuleBox.Any(5)));
        Assert.Equal(5, classifier.FirstCandidate(default, 0));
        Assert.Equal(int.MaxValue, classifier.FirstCandidate(default, 6));
    }

    [Fact]
    public void Remove_OtherBoxOfSamePriority_ChangesNothing()
    {
        var box = RuleBox.Any(7);
        box.SourceMask = RuleBox.PrefixMask(24);
        box.Source = 0x0A000100;
        var classifier = TupleClassifier.Build([box]);
        var other = box;
        other.Source = 0x0A000200;
        Assert.False(classifier.Remove(other));
        Assert.Equal(1, classifier.Count);
        Assert.Equal(7, classifier.FirstCandidate(new PacketKey(0x0A000105, 0, 6, 1, 2), 0));
        Assert.True(classifier.Remove(box));
        Assert.Equal(int.MaxValue, classifier.FirstCandidate(new PacketKey(0x0A000105, 0, 6, 1, 2), 0));
    }

    private static int BruteForce(List<RuleBox> boxes, PacketKey key, int from)
    {
        int best = int.MaxValue;
        foreach (var box in boxes)
        {
            if (box.Priority >= from && box.Priority < best && box.Contains(key))
            {
                best = box.Priority;
            }
        }

        return best;
    }

    /// <summary>A box over a small address space (so that boxes overlap), with prefixes of every length.</summary>
    internal static RuleBox RandomBox(Random random, int priority)
    {
        var box = RuleBox.Any(priority);
        int sourceLength = random.Next(5) == 0 ? 0 : random.Next(33);
        int destinationLength = random.Next(5) == 0 ? 0 : random.Next(33);
        box.SourceMask = RuleBox.PrefixMask(sourceLength);
        box.Source = SmallAddress(random) & box.SourceMask;
        box.DestinationMask = RuleBox.PrefixMask(destinationLength);
        box.Destination = SmallAddress(random) & box.DestinationMask;
        if (random.Next(3) > 0)
        {
            box.Protocol = random.Next(3) switch { 0 => 6, 1 => 17, _ => 1 };
            box.ProtocolMask = 0xFF;
            if (box.Protocol != 1)
            {
                (box.SourcePortMin, box.SourcePortMax) = RandomRange(random);
                (box.DestinationPortMin, box.DestinationPortMax) = RandomRange(random);
            }
        }

        return box;
    }

    private static (ushort, ushort) RandomRange(Random random)
    {
        return random.Next(3) switch
        {
            0 => (0, 65535),
            1 => ((ushort)random.Next(1020, 1030), (ushort)random.Next(1030, 1040)),
            _ => ((ushort)random.Next(0, 100), (ushort)random.Next(100, 65536)),
        };
    }

    private static uint SmallAddress(Random random) =>
        0x0A000000u | ((uint)random.Next(4) << 16) | ((uint)random.Next(4) << 8) | (uint)random.Next(8);

    /// <summary>A packet usually inside one of the boxes, sometimes anywhere in the small space.</summary>
    private static PacketKey KeyNear(Random random, List<RuleBox> boxes)
    {
        if (boxes.Count == 0 || random.Next(4) == 0)
        {
            return new PacketKey(SmallAddress(random), SmallAddress(random), (byte)(random.Next(2) == 0 ? 6 : 17),
                (ushort)random.Next(1020, 1040), (ushort)random.Next(65536));
        }

        var box = boxes[random.Next(boxes.Count)];
        byte protocol = box.ProtocolMask == 0 ? (byte)(random.Next(2) == 0 ? 6 : 17) : box.Protocol;
        return new PacketKey(
            box.Source | (SmallAddress(random) & ~box.SourceMask),
            box.Destination | (SmallAddress(random) & ~box.DestinationMask),
            protocol,
            (ushort)random.Next(box.SourcePortMin, box.SourcePortMax + 1),
            (ushort)random.Next(box.DestinationPortMin, box.DestinationPortMax + 1));
    }
}
