using Paft.Llama.Modules;
using static TorchSharp.torch;

namespace Paft.Llama.Modeling;

/// <summary>
/// The keys and values of every layer for the tokens seen so far, so each new token costs one
/// position's work instead of the whole sequence. It also remembers which cached positions were
/// padding and how many real tokens each row holds (for position ids). Buffers grow by doubling.
/// Pass a fresh cache to <see cref="LlamaForCausalLM.forward(Tensor, Tensor?, KvCache?)"/> and keep
/// passing it for the following tokens. For inference only (no gradients flow through it).
/// </summary>
public sealed class KvCache : IDisposable
{
    private Tensor[] _keys = [];
    private Tensor[] _values = [];
    private Tensor? _keyMask;     // [B, capacity] bool
    private Tensor? _realCounts;  // [B] int64
    private long _capacity;

    /// <summary>Creates an empty cache; its buffers are allocated by the first forward.</summary>
    public KvCache()
    {
    }

    /// <summary>Number of positions cached (padding included).</summary>
    public long Length { get; private set; }

    /// <summary>Number of rows, or 0 before the first forward.</summary>
    public long BatchSize { get; private set; }

    /// <summary>Whether any cached position is padding.</summary>
    public bool HasPadding { get; private set; }

    /// <summary>Real (non-padding) tokens cached per row, [B] int64.</summary>
    internal Tensor RealTokenCounts => _realCounts ?? throw new InvalidOperationException("the KV cache is empty");

    /// <summary>The key mask of the cached positions, [B, Length] bool.</summary>
    internal Tensor KeyMaskSoFar() => _keyMask!.narrow(1, 0, Length);

    /// <summary>Makes room for <paramref name="needed"/> positions of a batch of <paramref name="batch"/> rows.</summary>
    internal void Reserve(long batch, long needed, LlamaConfig config, ScalarType dtype, Device device)
    {
        if (_keys.Length == 0)
        {
            BatchSize = batch;
            _keys = new Tensor[config.NumHiddenLayers];
            _values = new Tensor[config.NumHiddenLayers];
            for (int i = 0; i < _keys.Length; i++)
            {
                _keys[i] = TorchLifetime.Owned(zeros([batch, config.NumKeyValueHeads, 0, config.HeadDim], dtype, device));
                _values[i] = TorchLifetime.Owned(zeros([batch, config.NumKeyValueHeads, 0, config.HeadDim], dtype, device));
            }
            _keyMask = TorchLifetime.Owned(zeros([batch, 0], ScalarType.Bool, device));
            _realCounts = TorchLifetime.Owned(zeros(batch, ScalarType.Int64, device));
        }
        if (batch != BatchSize)
            throw new ArgumentException($"the KV cache holds {BatchSize} rows but the input has {batch}");
        if (_keys.Length != config.NumHiddenLayers || _keys[0].dtype != dtype)
            throw new ArgumentException("the KV cache was filled by a model of another shape or dtype");
        if (needed <= _capacity)
            return;

        long capacity = Math.Max(needed, 2 * _capacity);
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i] = Grow(_keys[i], 2, capacity);
            _values[i] = Grow(_values[i], 2, capacity);
        }
        _keyMask = Grow(_keyMask!, 1, capacity);
        _capacity = capacity;
    }

    /// <summary>Writes a layer's new keys/values [B, kv, T, D] after the cached ones and returns all of them.</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        long t = k.shape[2];
        using (var slot = _keys[layer].narrow(2, Length, t)) slot.copy_(k);
        using (var slot = _values[layer].narrow(2, Length, t)) slot.copy_(v);
        return (_keys[layer].narrow(2, 0, Length + t), _values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>Records the new tokens' mask [B, T] once every layer has appended them.</summary>
    internal void Commit(Tensor newMask, bool newPadding)
    {
        long t = newMask.shape[1];
        using (var slot = _keyMask!.narrow(1, Length, t)) slot.copy_(newMask);
        using (var count = newMask.sum(1, type: ScalarType.Int64)) _realCounts!.add_(count, HeldScalars.One); // explicit alpha: see HeldScalars
        Length += t;
        HasPadding |= newPadding;
    }

    /// <summary>
    /// A new cache whose row i is a copy of this cache's row <paramref name="rows"/>[i]: used to run
    /// several continuations against one context computed once.
    /// </summary>
    public KvCache SelectRows(IReadOnlyList<long> rows)
    {
        if (_keys.Length == 0)
            throw new InvalidOperationException("the KV cache is empty");
        using var scope = NewDisposeScope();
        var index = tensor(rows.ToArray(), ScalarType.Int64, _keys[0].device);
        var copy = new KvCache
        {
            BatchSize = rows.Count,
            Length = Length,
            HasPadding = HasPadding,
            _capacity = _capacity,
            _keys = _keys.Select(k => TorchLifetime.Owned(k.index_select(0, index))).ToArray(),
            _values = _values.Select(v => TorchLifetime.Owned(v.index_select(0, index))).ToArray(),
            _keyMask = TorchLifetime.Owned(_keyMask!.index_select(0, index)),
            _realCounts = TorchLifetime.Owned(_realCounts!.index_select(0, index)),
        };
        return copy;
    }

    private static Tensor Grow(Tensor old, int dim, long capacity)
    {
        var shape = old.shape;
        shape[dim] = capacity;
        var grown = TorchLifetime.Owned(zeros(shape, old.dtype, old.device));
        long used = old.shape[dim];
        if (used > 0)
        {
            using var slot = grown.narrow(dim, 0, used);
            slot.copy_(old);
        }
        old.Dispose();
        return grown;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
        _keyMask?.Dispose();
        _realCounts?.Dispose();
        _keys = [];
        _values = [];
        _keyMask = null;
        _realCounts = null;
        _capacity = 0;
        Length = 0;
        BatchSize = 0;
        HasPadding = false;
    }
}
