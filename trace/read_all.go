package trace

import "io"

// ReadAll reads every record of a recording. A line that is not a valid
// record, or a read error, does not stop it: the records that decode are
// returned, and each problem is returned in file order (a *DecodeError
// names its line), so a truncated or damaged recording can still be
// replayed up to where it is readable.
func ReadAll(r io.Reader) (records []Record, problems []error) {
	for rec, err := range Decode(r) {
		if err != nil {
			problems = append(problems, err)
			continue
		}
		records = append(records, rec)
	}
	return records, problems
}
