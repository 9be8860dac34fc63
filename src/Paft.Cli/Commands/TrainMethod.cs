using Microsoft.ML;
using Paft.MLNet;

namespace Paft.Cli.Commands;

/// <summary>
/// Fits the estimator a <c>paft train</c> method makes from the run's trainer options (progress attached), with the
/// progress display: <paramref name="headline"/> names the method in the line printed before training, with
/// <paramref name="templateCount"/> training templates. A selection trainer chooses its template inside this call.
/// </summary>
internal delegate PaftTransformer TrainMethod(string headline, int templateCount, Func<PaftTrainerOptions, IEstimator<PaftTransformer>> trainer);
