using Paft.MLNet.Tasks;

namespace Paft.MLNet.Model;

/// <summary>
/// The column names a PAFT model reads and writes: the label it trains on, the two prediction columns it adds,
/// and the input column of each task field. Kept with the fitted model (and its saved manifest) so that
/// prediction uses the names the trainer was given.
/// </summary>
/// <param name="Label">The label column read by training and evaluation.</param>
/// <param name="Score">The added probability column.</param>
/// <param name="PredictedLabel">The added predicted-key column.</param>
/// <param name="FieldColumns">Input column of each task field not named like the field; null when all are.</param>
internal sealed record PaftColumns(string Label, string Score, string PredictedLabel, IReadOnlyDictionary<string, string>? FieldColumns)
{
    public const string DefaultLabel = "Label";
    public const string DefaultScore = "Score";
    public const string DefaultPredictedLabel = "PredictedLabel";

    /// <summary>ML.NET's usual names, every field read from the column named like it.</summary>
    public static PaftColumns Default { get; } = new(DefaultLabel, DefaultScore, DefaultPredictedLabel, null);

    /// <summary>The input column of <paramref name="field"/>.</summary>
    public string ColumnOf(string field) =>
        FieldColumns is not null && FieldColumns.TryGetValue(field, out string? column) ? column : field;

    /// <summary>Throws, naming the setting, when a name is empty, two columns clash or a mapped field is not the task's.</summary>
    public void Validate(TaskDefinition task, string owner)
    {
        foreach ((string name, string setting) in new[] { (Label, "LabelColumnName"), (Score, "ScoreColumnName"), (PredictedLabel, "PredictedLabelColumnName") })
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException($"{owner}.{setting} must not be empty.");
        if (Score == PredictedLabel)
            throw new ArgumentException($"{owner}: the score and predicted-label columns need two different names; both are '{Score}'.");
        if (FieldColumns is null)
            return;
        foreach ((string field, string column) in FieldColumns)
        {
            if (!task.Fields.Contains(field))
                throw new ArgumentException(
                    $"{owner}.FieldColumns maps '{field}', which is not a field of task '{task.Name}' ({string.Join(", ", task.Fields)}).");
            if (string.IsNullOrWhiteSpace(column))
                throw new ArgumentException($"{owner}.FieldColumns gives field '{field}' an empty column name.");
        }
    }
}
