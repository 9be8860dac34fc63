using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Training;

/// <summary>One row of an epoch of the PAFT training stream (<see cref="PaftTrainingStream"/>).</summary>
/// <param name="Position">0-based position in the epoch's visiting order: optimizer step = Position / rows per step.</param>
/// <param name="RowIndex">0-based index of the row in the training data.</param>
/// <param name="Row">The task row.</param>
/// <param name="Template">The template drawn for the row's group of K steps.</param>
/// <param name="Prompt">The row rendered with <paramref name="Template"/> (before any cut to the maximum length).</param>
public sealed record PaftStreamRow(int Position, int RowIndex, TaskExample Row, PromptTemplate Template, string Prompt);
