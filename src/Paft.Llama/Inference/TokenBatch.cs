using Paft.Llama.Modeling;
using static TorchSharp.torch;

namespace Paft.Llama.Inference;

/// <summary>Turns lists of token ids into padded id and mask tensors, checking every id against the vocabulary.</summary>
internal static class TokenBatch
{
    /// <summary>
    /// Pads <paramref name="rows"/> to one length, on the left (generation, contexts) or the right
    /// (continuations), and returns ids [B, L] int64 and mask [B, L] int64 (1 real, 0 padding).
    /// </summary>
    public static (Tensor Ids, Tensor Mask) Pad(IReadOnlyList<IReadOnlyList<int>> rows, bool left, LlamaConfig config, Device device, string what)
    {
        int length = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        var ids = new long[rows.Count * length];
        var mask = new long[rows.Count * length];
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            int offset = left ? length - row.Count : 0;
            for (int j = 0; j < row.Count; j++)
            {
                int id = row[j];
                if ((uint)id >= (uint)config.VocabSize)
                    throw new ArgumentOutOfRangeException(what, id, $"{what} {r}: token {j} is id {id}, outside the vocabulary [0, {config.VocabSize})");
                ids[r * length + offset + j] = id;
                mask[r * length + offset + j] = 1;
            }
        }
        return (tensor(ids, [rows.Count, length], ScalarType.Int64, device), tensor(mask, [rows.Count, length], ScalarType.Int64, device));
    }
}
