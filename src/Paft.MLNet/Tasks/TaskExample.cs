namespace Paft.MLNet.Tasks;

/// <summary>
/// One row of a multiple-choice task: the value of every field of its <see cref="TaskDefinition"/>
/// and the index of the correct option (0-based, in the task's option order).
/// </summary>
/// <param name="Fields">Field name to text, one entry per field of the task.</param>
/// <param name="Label">Index of the correct option, or -1 when the row is unlabelled.</param>
/// <param name="Source">Where the row came from (file and line), for error messages; may be empty.</param>
public sealed record TaskExample(IReadOnlyDictionary<string, string> Fields, int Label, string Source = "");
