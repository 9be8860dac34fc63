namespace Paft.MLNet.Tasks.Readers;

/// <summary>Builds a <see cref="TaskExample"/> from field values given in the task's field order.</summary>
internal static class ExampleBuilder
{
    public static TaskExample Create(TaskDefinition task, IReadOnlyList<string> values, int label, string source)
    {
        var fields = new Dictionary<string, string>(task.Fields.Count, StringComparer.Ordinal);
        for (int i = 0; i < task.Fields.Count; i++)
            fields[task.Fields[i]] = values[i];
        return new TaskExample(fields, label, source);
    }

    /// <summary>The 0-based index of an answer letter such as "C", or a problem naming the field.</summary>
    public static int LabelFromLetter(TaskDefinition task, string letter, string fieldName)
    {
        for (int i = 0; i < task.AnswerLabels.Count; i++)
            if (string.Equals(task.AnswerLabels[i], letter.Trim(), StringComparison.Ordinal))
                return i;
        throw new RowProblemException(
            $"field '{fieldName}' is '{letter}', not one of {string.Join(", ", task.AnswerLabels)}");
    }

    public static int CheckLabel(TaskDefinition task, int label, string fieldName)
    {
        if (label < 0 || label >= task.OptionCount)
            throw new RowProblemException(
                $"field '{fieldName}' is {label}, outside 0..{task.OptionCount - 1}");
        return label;
    }
}
