namespace Paft.MLNet.Selection;

/// <summary>Why the ZOPO-style search evaluated a template.</summary>
public enum ZopoStepReason
{
    /// <summary>One of the random initial picks.</summary>
    Init = 0,

    /// <summary>The neighbour of the current best point with the highest upper confidence bound.</summary>
    Local = 1,

    /// <summary>The most uncertain neighbour, because the posterior variance around the best point stayed high.</summary>
    Explore = 2,

    /// <summary>A random unevaluated template, after a run of steps that did not improve the local best.</summary>
    Restart = 3,
}
