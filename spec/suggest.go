package spec

// Suggest returns the candidate closest to word by edit distance, or "" when
// none is close enough to be a likely typo.
func Suggest(word string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := editDistance(word, c)
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	// A third of the word may be wrong, at least one letter, at most three.
	limit := min(max(len([]rune(word))/3, 1), 3)
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// DidYouMean formats Suggest as a line to append to a detail ("" when
// nothing is close, or word is itself a candidate).
func DidYouMean(word string, candidates []string) string {
	if s := Suggest(word, candidates); s != "" && s != word {
		return "\ndid you mean \"" + s + "\"?"
	}
	return ""
}

// editDistance is the Damerau (optimal string alignment) distance, so a
// swapped pair of letters ("vpcu") counts as one edit.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range t {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}
