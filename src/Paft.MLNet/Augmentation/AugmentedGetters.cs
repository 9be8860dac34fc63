using Microsoft.ML;
using Microsoft.ML.Data;

namespace Paft.MLNet.Augmentation;

/// <summary>Getter dispatch shared by the cursor and the mapped row: input columns pass through, added ones render.</summary>
internal static class AugmentedGetters
{
    public static ValueGetter<TValue> Get<TValue>(PromptColumns columns, PromptColumns.RowRenderer renderer,
        DataViewRow inner, DataViewSchema.Column column, bool active)
    {
        if (!active)
            throw new InvalidOperationException($"Column '{column.Name}' was not requested from this cursor.");
        if (!columns.IsAdded(column.Index))
            return inner.GetGetter<TValue>(inner.Schema[column.Index]);
        if (typeof(TValue) != typeof(ReadOnlyMemory<char>))
            throw new InvalidOperationException(
                $"Column '{column.Name}' is text (ReadOnlyMemory<char>); a getter of {typeof(TValue).Name} was requested.");

        ValueGetter<ReadOnlyMemory<char>> getter = column.Index == columns.PromptIndex
            ? renderer.GetPrompt
            : renderer.GetPromptId;
        return (ValueGetter<TValue>)(Delegate)getter;
    }
}
