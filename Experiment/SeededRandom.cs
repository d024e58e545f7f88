namespace SegCluster.Experiment;

/// <summary>
/// xoshiro256** seeded through splitmix64: the same seed gives the same sequence on every machine and runtime,
/// and the state can be saved in a checkpoint and restored.
/// </summary>
public sealed class SeededRandom
{
    private ulong s0, s1, s2, s3;

    public SeededRandom(ulong seed)
    {
        var x = seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
    }

    private SeededRandom(ulong[] state) => (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3]);

    public ulong[] State => [s0, s1, s2, s3];
    public static SeededRandom FromState(ulong[] state) =>
        state.Length == 4 ? new SeededRandom(state) : throw new ArgumentException("a SeededRandom state has 4 words", nameof(state));

    /// <summary>A child generator for a named purpose, independent of how much this one has been used.</summary>
    public static SeededRandom Derive(ulong seed, string purpose)
    {
        var h = 1469598103934665603UL;
        foreach (var c in purpose) { h ^= c; h *= 1099511628211UL; }
        return new SeededRandom(seed ^ h);
    }

    public ulong NextUInt64()
    {
        var result = RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, n), without modulo bias.</summary>
    public int Next(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be positive");
        var bound = (ulong)n;
        var limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (int)(r % bound);
    }

    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>k distinct indices from [0, n), uniformly (partial Fisher-Yates).</summary>
    public int[] Sample(int n, int k)
    {
        if (k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"cannot draw {k} of {n}");
        var pool = Enumerable.Range(0, n).ToArray();
        for (var i = 0; i < k; i++)
        {
            var j = i + Next(n - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..k];
    }

    /// <summary>Shuffles in place (Fisher-Yates).</summary>
    public void Shuffle<T>(T[] items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
