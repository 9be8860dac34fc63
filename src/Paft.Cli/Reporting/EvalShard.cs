using Paft.Cli.Terminal;

namespace Paft.Cli.Reporting;

/// <summary>
/// Share <see cref="Index"/> of <see cref="Count"/> of an evaluation's test templates (<c>paft eval --shard i/N</c>):
/// the contiguous block of templates [⌊i·T/N⌋, ⌊(i+1)·T/N⌋) of the pool's T, so the N shards are disjoint and
/// cover every template once.
/// </summary>
/// <param name="Index">0-based shard index (Slurm's <c>SLURM_ARRAY_TASK_ID</c> from 0, Kubernetes' <c>JOB_COMPLETION_INDEX</c>).</param>
/// <param name="Count">Number of shards.</param>
internal sealed record EvalShard(int Index, int Count)
{
    /// <summary>Parses <c>i/N</c>; a malformed or out-of-range value is a one-line error naming <c>--shard</c>.</summary>
    public static EvalShard Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int index) || !int.TryParse(parts[1], out int count))
            throw new CommandInputException($"--shard: '{text}' is not i/N (e.g. 0/4: the first of 4 shards).");
        if (count < 1 || index < 0 || index >= count)
            throw new CommandInputException($"--shard: '{text}' needs N >= 1 and 0 <= i < N.");
        return new EvalShard(index, count);
    }

    /// <summary>The first pool index of this shard's templates, of <paramref name="templates"/> in all.</summary>
    public int Start(int templates) => (int)((long)Index * templates / Count);

    /// <summary>One past the last pool index of this shard's templates.</summary>
    public int End(int templates) => (int)((long)(Index + 1) * templates / Count);

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}
