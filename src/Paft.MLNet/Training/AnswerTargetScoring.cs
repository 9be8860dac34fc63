using Microsoft.ML;
using Microsoft.ML.Runtime;
using Paft.MLNet.Scoring;

namespace Paft.MLNet.Training;

/// <summary>
/// Whether a model trained with one <see cref="AnswerTarget"/> can be scored with a <see cref="ScoringMode"/>, and
/// what to do if not. A model trained to say the option's text never learnt to say a label: scoring its labels
/// (<see cref="ScoringMode.AnswerLetter"/>) measures nothing it was taught: an error. Generating from it yields option
/// text, in which the letter extraction finds no letter, so its generation-mode accuracy is near 0% while its answer
/// length and speed (the paper's Table 2) are still measured: a warning. A model trained on labels but scored by the
/// likelihood of the options' text is a recognised protocol (lm-evaluation-harness) that merely does not measure what
/// training taught: a warning.
/// </summary>
public static class AnswerTargetScoring
{
    /// <summary>What is wrong with scoring a model trained for <paramref name="target"/> in <paramref name="mode"/>, or null.</summary>
    public static (bool IsError, string Message)? Problem(AnswerTarget target, ScoringMode mode) => (target, mode) switch
    {
        (AnswerTarget.OptionText, ScoringMode.AnswerLetter) => (true,
            "a model trained with AnswerTarget.OptionText (it answers with the option's text) cannot be scored with ScoringMode.AnswerLetter: " +
            "it never learnt to answer with a label. Score it with ScoringMode.OptionText or OptionTextNormalized " +
            "(paft: --mode loglik-option or loglik-norm), or train with AnswerTarget.Letter."),
        (AnswerTarget.OptionText, ScoringMode.Generation) => (false,
            "a model trained with AnswerTarget.OptionText generates the option's text, in which ScoringMode.Generation finds no answer letter: " +
            "its accuracy will be near 0% (its answer length and speed are still measured). For accuracy, score it with ScoringMode.OptionText " +
            "or OptionTextNormalized (paft: --mode loglik-option or loglik-norm), or train with AnswerTarget.Letter."),
        (AnswerTarget.Letter, ScoringMode.OptionText or ScoringMode.OptionTextNormalized) => (false,
            $"a model trained with AnswerTarget.Letter (it answers with a label) is scored with ScoringMode.{mode}, the likelihood of the options' text, " +
            "which its training did not teach. Score it with ScoringMode.AnswerLetter or Generation (paft: --mode loglik or generate), " +
            "or train with AnswerTarget.OptionText."),
        _ => null,
    };

    /// <summary>Throws for an error pair; returns the warning (or null) otherwise.</summary>
    /// <param name="target">How the model was trained.</param>
    /// <param name="mode">How it is to be scored.</param>
    /// <param name="where">What is being checked, for the message (e.g. "PaftTrainerOptions").</param>
    /// <exception cref="ArgumentException">The pair cannot work; the message names the fix.</exception>
    internal static string? Check(AnswerTarget target, ScoringMode mode, string where)
    {
        if (Problem(target, mode) is not { } problem)
            return null;
        string message = $"{where}: {problem.Message}";
        return problem.IsError ? throw new ArgumentException(message) : message;
    }

    /// <summary><see cref="Check"/>, with a warning sent to the ML.NET log of <paramref name="mlContext"/> (<c>MLContext.Log</c>).</summary>
    internal static void CheckAndWarn(MLContext mlContext, AnswerTarget target, ScoringMode mode, string where)
    {
        if (Check(target, mode, where) is not { } warning)
            return;
        IHost host = ((IHostEnvironment)mlContext).Register(nameof(AnswerTargetScoring));
        using IChannel channel = host.Start(where);
        channel.Warning(MessageSensitivity.None, warning);
    }
}
