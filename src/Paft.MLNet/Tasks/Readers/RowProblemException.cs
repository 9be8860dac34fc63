namespace Paft.MLNet.Tasks.Readers;

/// <summary>
/// Thrown by a row mapper to say what is wrong with one row; <see cref="RowCollector"/> adds the file
/// and line and turns it into a <see cref="TaskDataException"/>.
/// </summary>
internal sealed class RowProblemException(string problem) : Exception(problem);
