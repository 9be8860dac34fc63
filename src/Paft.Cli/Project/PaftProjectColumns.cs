using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;

namespace Paft.Cli.Project;

/// <summary>
/// The columns a model of the project reads and is labelled by, written by <c>paft init</c> from the task so that the
/// file says them, and checked against the task when read: generated code names its properties after them.
/// </summary>
internal sealed record PaftProjectColumns
{
    /// <summary>The text fields of a row, in the task's order (the model's input columns).</summary>
    public IReadOnlyList<string>? Fields { get; init; }

    /// <summary>The fields that hold the answer options.</summary>
    public IReadOnlyList<string>? OptionFields { get; init; }

    /// <summary>The answer labels (A, B, ...), the key values of <c>PredictedLabel</c>.</summary>
    public IReadOnlyList<string>? AnswerLabels { get; init; }

    /// <summary>The label column.</summary>
    public string? Label { get; init; }

    public static PaftProjectColumns Of(TaskDefinition task) => new()
    {
        Fields = task.Fields,
        OptionFields = task.OptionFields,
        AnswerLabels = task.AnswerLabels,
        Label = TaskDataView.LabelColumnName,
    };

    /// <summary>The first key whose value differs from the task's, or null when they agree.</summary>
    public string? FirstDifference(TaskDefinition task)
    {
        PaftProjectColumns expected = Of(task);
        if (Fields is not null && !Fields.SequenceEqual(expected.Fields!)) return "fields";
        if (OptionFields is not null && !OptionFields.SequenceEqual(expected.OptionFields!)) return "optionFields";
        if (AnswerLabels is not null && !AnswerLabels.SequenceEqual(expected.AnswerLabels!)) return "answerLabels";
        if (Label is not null && Label != expected.Label) return "label";
        return null;
    }
}
