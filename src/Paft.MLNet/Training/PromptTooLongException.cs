namespace Paft.MLNet.Training;

/// <summary>A rendered prompt does not fit the maximum length even with its context fields cut to nothing.</summary>
public sealed class PromptTooLongException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PromptTooLongException(string message) : base(message)
    {
    }
}
