// Package browsertest runs the pages' tests in a real browser: headless
// Chromium from Debian's packages, driven with chromedp, that reaches the
// loopback only. It is for tests; `.ci/run` installs the browser.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// New starts Chromium (Debian's chromium-headless-shell, or
// chromium) for a test, able to reach the loopback only: every other host
// fails to resolve, as on a network without internet access. It fails the
// test, naming the package to install, when there is none.
func New(t *testing.T) context.Context {
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

// Dir is where the browser tests write their screenshots:
// $SSFGRAPH_SCREENSHOTS, else build/screenshots at the repository's root
// (ignored by git).
func Dir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SSFGRAPH_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "build", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	return dir
}

// Screenshot writes what the browser shows, at the window's 1280×800, to
// <Dir>/<name>.png.
func Screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(Dir(t), name+".png"), png, 0o644)
	}
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
	}
}

// SignIn opens a page with an empty session storage and signs in on
// its form with token.
func SignIn(t *testing.T, ctx context.Context, url, token string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.Evaluate[chromedp.Void](`sessionStorage.clear()`),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#signin`)),
		chromedp.SendKeys(chromedp.CSS(`#token`), token),
		chromedp.Click(chromedp.CSS(`#signin button`)),
	)
	if err != nil {
		t.Fatalf("signing in on %s: %v", url, err)
	}
}

// repoRoot is the folder holding go.mod, above the test's working folder.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("screenshot folder: no go.mod above the test's folder; set SSFGRAPH_SCREENSHOTS")
		}
		dir = parent
	}
}
