package resolvers_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ssfgraph/ssfgraph/resolvers"
)

// headlessBrowser starts Chromium (Debian's chromium-headless-shell, or
// chromium) for a test, able to reach the loopback only: every other host
// fails to resolve, as on a network without internet access. It fails the
// test, naming the package to install, when there is none.
func headlessBrowser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium-headless-shell", "chromium", "headless_shell", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Fatal("no headless Chromium for the browser tests: sudo apt-get install chromium-headless-shell (.ci/run installs it)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(1280, 800),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}

// TestGraphiQLRunsOffline opens GraphiQL in a real browser that reaches
// nothing but the server, runs a query and reads its answer.
func TestGraphiQLRunsOffline(t *testing.T) {
	srv := newServer(t, resolvers.Options{Version: "v-offline"})
	ctx := headlessBrowser(t)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-query-editor .CodeMirror`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('{ serverInfo { version } }')`),
		chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)),
	)
	if err != nil {
		t.Fatalf("GraphiQL did not load or run the query: %v", err)
	}
	response, err := chromedp.Run(ctx, chromedp.Poll[string](
		`(t => t.includes('v-offline') && t)((document.querySelector('.result-window') || {}).innerText || '')`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("GraphiQL shows no answer: %v", err)
	}
	if !strings.Contains(response, `"version": "v-offline"`) {
		t.Errorf("GraphiQL shows %q", response)
	}
}
