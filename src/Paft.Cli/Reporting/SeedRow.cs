namespace Paft.Cli.Reporting;

/// <summary>One seed's result for one setting of a study run over several seeds (a row of a <c>*-by-seed.csv</c>).</summary>
/// <typeparam name="T"><see cref="SweepPoint"/> or <see cref="AblationPoint"/>, each of one seed.</typeparam>
/// <param name="Seed">The seed that drew the splits, pools, base model and fine-tuning.</param>
/// <param name="Point">That seed's result.</param>
internal sealed record SeedRow<T>(int Seed, T Point);
