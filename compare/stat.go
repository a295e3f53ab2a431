package compare

// Stat is one statistic. Value is nil when the statistic is undefined for
// the data, and Reason then says why; Reason is empty when Value is set.
// N is the amount of data the statistic rests on: the number of pairable
// values for Krippendorff's alpha and the number of rating pairs for kappa
// and percent agreement.
type Stat struct {
	Value  *float64
	N      int
	Reason string
}

// Reasons a statistic can be undefined. They are the values of Stat.Reason.
const (
	// ReasonTooFew means there were fewer than two pairable ratings.
	ReasonTooFew = "fewer than two pairable ratings"
	// ReasonNoPairs means there was no rating pair at all.
	ReasonNoPairs = "no rating pairs"
	// ReasonNoVariation means the expected disagreement is zero: every
	// rating has the same value, so agreement beyond chance is undefined.
	ReasonNoVariation = "no variation: expected disagreement is zero"
	// ReasonLengthMismatch means two rating lists that should be paired
	// differ in length.
	ReasonLengthMismatch = "rating lists differ in length"
)

// defined returns a Stat with value v resting on n data.
func defined(v float64, n int) Stat {
	return Stat{Value: &v, N: n}
}

// undefined returns a Stat without a value, resting on n data, for reason.
func undefined(n int, reason string) Stat {
	return Stat{N: n, Reason: reason}
}

// Metric is the difference function of Krippendorff's alpha: the level of
// measurement the values are taken at. The zero value is Ordinal.
type Metric int

// The metrics KrippendorffAlpha supports.
const (
	// Ordinal treats values as ranks: the distance between two values
	// grows with how many values were observed between them.
	Ordinal Metric = iota
	// Interval treats values as numbers: the distance is the squared
	// difference.
	Interval
	// Nominal treats values as unordered labels: the distance is 0 for
	// equal values and 1 otherwise.
	Nominal
)

// String returns the metric's lower-case name, such as "ordinal".
func (m Metric) String() string {
	switch m {
	case Interval:
		return "interval"
	case Nominal:
		return "nominal"
	default:
		return "ordinal"
	}
}

// Weights is the disagreement weighting of Cohen's kappa. The zero value is
// Quadratic.
type Weights int

// The weightings WeightedKappa supports.
const (
	// Quadratic weighs a disagreement by the squared distance of the ranks.
	Quadratic Weights = iota
	// Linear weighs a disagreement by the distance of the ranks.
	Linear
	// Unweighted counts every disagreement as 1: plain Cohen's kappa.
	Unweighted
)

// String returns the weighting's lower-case name, such as "quadratic".
func (w Weights) String() string {
	switch w {
	case Linear:
		return "linear"
	case Unweighted:
		return "unweighted"
	default:
		return "quadratic"
	}
}
