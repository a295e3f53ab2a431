// Package compare holds the comparison and agreement math for ssfgraph: it
// lines up several organizations' analyses of one target on shared incident
// ids and reports where their judgments differ and how far they agree.
//
// The package is pure. Its functions take plain values, do no I/O, read no
// clock and hold no state, so the same input always gives the same output,
// in the same order. It defines its own small input types (Analysis,
// Assessment, MeasureRef) so that it does not depend on the GraphQL model.
//
// The building blocks are exported too: KrippendorffAlpha, WeightedKappa,
// PercentAgreement and Jaccard. A statistic that cannot be computed is
// reported as a Stat with a nil Value and a Reason, never as NaN.
//
// All rank values (axis levels and categories) are ordinal ranks given as
// integers: a higher rank means more severe. The package needs no scale
// definitions, because every statistic it reports is invariant under the
// choice of scale bounds.
package compare
