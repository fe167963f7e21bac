// A tiny module with two public dependencies, for the self-test workflow. Its go.sum is made by the
// workflow's prepare job (`go mod tidy`), so the repository does not carry hashes nobody can review.
package main

import (
	"fmt"

	"github.com/google/uuid"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

func main() {
	fmt.Println(cases.Title(language.English).String("setup-go-deps self-test"), uuid.NewSHA1(uuid.NameSpaceURL, []byte("x")))
}
