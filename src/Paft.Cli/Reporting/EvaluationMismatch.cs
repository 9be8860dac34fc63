namespace Paft.Cli.Reporting;

/// <summary>
/// What makes evaluations of one test set incomparable: another scoring mode, other rows, or other test templates.
/// (Another task is refused by <see cref="ComparisonTable.From"/>; the clean and adversarial sets differ by design.)
/// Each evaluation is compared with the first of its set, on what both files record: the <c>run</c>'s mode and
/// hashes, the row count, the labels and the template ids; what an older file lacks is not compared.
/// </summary>
internal static class EvaluationMismatch
{
    /// <summary>One sentence a differing pair, naming both files and what differs; empty when all compare.</summary>
    public static IReadOnlyList<string> Find(IReadOnlyList<EvalResult> results)
    {
        var found = new List<string>();
        foreach (bool adversarial in new[] { false, true })
        {
            EvalResult[] set = results.Where(r => r.IsAdversarial == adversarial).ToArray();
            for (int i = 1; i < set.Length; i++)
            {
                IReadOnlyList<string> differences = Differences(set[0], set[i]);
                if (differences.Count > 0)
                    found.Add($"'{set[0].SourcePath}' ({set[0].Label}) and '{set[i].SourcePath}' ({set[i].Label}) differ in {string.Join(", ", differences)}");
            }
        }
        return found;
    }

    /// <summary>The names of the rows of <paramref name="results"/> that differ from the first of their set.</summary>
    public static IReadOnlySet<string> Labels(IReadOnlyList<EvalResult> results)
    {
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (bool adversarial in new[] { false, true })
        {
            EvalResult[] set = results.Where(r => r.IsAdversarial == adversarial).ToArray();
            for (int i = 1; i < set.Length; i++)
                if (Differences(set[0], set[i]).Count > 0)
                    labels.Add(set[i].Label);
        }
        return labels;
    }

    /// <summary>What differs between two evaluations of one test set: "scoring mode (loglik vs generate)", "rows (...)", "test templates (...)".</summary>
    public static IReadOnlyList<string> Differences(EvalResult a, EvalResult b)
    {
        var differences = new List<string>();
        if (Both(a, b, EvalResult.ModeKey) is { } mode && !string.Equals(mode.A, mode.B, StringComparison.OrdinalIgnoreCase))
            differences.Add($"scoring mode ({mode.A} vs {mode.B})");

        if (a.ExampleCount != b.ExampleCount)
            differences.Add($"rows ({a.ExampleCount} vs {b.ExampleCount})");
        else if (Both(a, b, EvalResult.RowsHashKey) is { } rows && !string.Equals(rows.A, rows.B, StringComparison.OrdinalIgnoreCase))
            differences.Add($"rows (same count, other content: {EvalResult.RowsHashKey} {Short(rows.A)} vs {Short(rows.B)})");
        else if (a.Labels is not null && b.Labels is not null && !a.Labels.SequenceEqual(b.Labels))
            differences.Add("rows (other labels)");

        var idsA = a.Templates.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var idsB = b.Templates.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        if (!idsA.SetEquals(idsB))
            differences.Add($"test templates ({idsA.Except(idsB).Count()} only in the first, {idsB.Except(idsA).Count()} only in the second)");
        else if (Both(a, b, EvalResult.TemplatesHashKey) is { } texts && !string.Equals(texts.A, texts.B, StringComparison.OrdinalIgnoreCase))
            differences.Add("test templates (same ids, other texts)");
        return differences;
    }

    private static string Short(string hash) => hash[..Math.Min(12, hash.Length)];

    private static (string A, string B)? Both(EvalResult a, EvalResult b, string key) =>
        a.Run.TryGetValue(key, out string? valueA) && b.Run.TryGetValue(key, out string? valueB) ? (valueA, valueB) : null;
}
