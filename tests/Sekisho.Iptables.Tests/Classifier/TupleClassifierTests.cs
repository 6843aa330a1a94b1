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

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void WithInsertedRemovedReplaced_AsBruteForce_OriginalUnchanged(int seed)
    {
        // Each step makes a new classifier; every earlier one must go on answering as before (copy on write).
        var random = new Random(seed);
        var boxes = Enumerable.Range(0, 400).Select(i => RandomBox(random, i * 16)).ToList();
        var history = new List<(TupleClassifier Classifier, List<RuleBox> Boxes)> { (TupleClassifier.Build(boxes.ToArray()), boxes) };
        for (int step = 0; step < 300; step++)
        {
            var (classifier, before) = history[^1];
            boxes = before.ToList();
            int at = random.Next(boxes.Count);
            switch (random.Next(3))
            {
                case 0:
                    int priority;
                    do
                    {
                        priority = random.Next(500 * 16);
                    }
                    while (boxes.Any(b => b.Priority == priority));
                    var added = RandomBox(random, priority);
                    classifier = classifier.WithInserted(added);
                    boxes.Add(added);
                    break;
                case 1:
                    classifier = classifier.WithRemoved(boxes[at])!;
                    boxes.RemoveAt(at);
                    break;
                default:
                    var replacement = RandomBox(random, boxes[at].Priority);
                    classifier = classifier.WithReplaced(boxes[at], replacement)!;
                    boxes[at] = replacement;
                    break;
            }

            history.Add((classifier, boxes));
            Assert.Equal(boxes.Count, classifier.Count);
            for (int i = 0; i < 8; i++)
            {
                var (earlier, earlierBoxes) = history[random.Next(history.Count)];
                var key = KeyNear(random, boxes);
                int from = random.Next(2) == 0 ? random.Next(500 * 16) : 0;
                Assert.Equal(BruteForce(boxes, key, from), classifier.FirstCandidate(key, from));
                Assert.Equal(BruteForce(earlierBoxes, key, from), earlier.FirstCandidate(key, from));
            }
        }

        Assert.Null(history[^1].Classifier.WithRemoved(RuleBox.Any(500 * 16 + 1)));
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

    [Fact]
    public void AllOnesAddressPair_IsFoundThroughGrowthAndRemoved()
    {
        // 255.255.255.255/32 to 255.255.255.255/32 is the one key equal to the tables' empty-key marker.
        var ones = RuleBox.Any(1);
        (ones.Source, ones.SourceMask, ones.Destination, ones.DestinationMask) = (uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue);
        var boxes = new List<RuleBox> { ones };
        for (int i = 0; i < 300; i++)
        {
            var box = RuleBox.Any(i * 2);
            (box.Source, box.SourceMask, box.Destination, box.DestinationMask) = (0x0A000000u + (uint)i, uint.MaxValue, uint.MaxValue - (uint)i, uint.MaxValue);
            boxes.Add(box);
        }

        var classifier = TupleClassifier.Build(boxes.ToArray());
        var key = new PacketKey(uint.MaxValue, uint.MaxValue, 17, 53, 53);
        Assert.Equal(1, classifier.FirstCandidate(key, 0));
        Assert.Equal(598, classifier.FirstCandidate(new PacketKey(0x0A000000u + 299, uint.MaxValue - 299, 6, 1, 2), 0));
        var twin = ones;
        twin.Priority = 3;
        classifier.Insert(twin);
        Assert.Equal(3, classifier.FirstCandidate(key, 2));
        Assert.True(classifier.Remove(ones));
        Assert.False(classifier.Remove(ones));
        Assert.Equal(3, classifier.FirstCandidate(key, 0));
        Assert.True(classifier.Remove(twin));
        Assert.Equal(int.MaxValue, classifier.FirstCandidate(key, 0));
    }

    [Theory]
    [InlineData(6, 1000, 2000, true)]
    [InlineData(6, 1024, 1024, true)]
    [InlineData(6, 2047, 2048, true)]
    [InlineData(6, 999, 2000, false)]
    [InlineData(6, 1000, 2049, false)]
    [InlineData(6, 1000, 1023, false)]
    [InlineData(17, 1000, 2000, false)]
    public void Contains_PortRangeEdgesAndProtocol(byte protocol, ushort sourcePort, ushort destinationPort, bool inside)
    {
        var box = RuleBox.Any(1);
        (box.Protocol, box.ProtocolMask) = (6, 0xFF);
        (box.SourcePortMin, box.SourcePortMax) = (1000, 2047);
        (box.DestinationPortMin, box.DestinationPortMax) = (1024, 2048);
        Assert.Equal(inside, box.Contains(new PacketKey(1, 2, protocol, sourcePort, destinationPort)));
        var any = RuleBox.Any(2);
        Assert.True(any.Contains(new PacketKey(uint.MaxValue, 0, protocol, ushort.MaxValue, 0)));
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
