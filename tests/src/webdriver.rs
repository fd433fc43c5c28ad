//! A small WebDriver client over plain HTTP JSON, enough to drive the desktop app through
//! `tauri-driver` (which hands the session to WebKitWebDriver).

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// An element of the page, by its WebDriver reference.
#[derive(Debug, Clone)]
pub struct Element(String);

/// One WebDriver session (the app's window); deleted (the app closed) on drop.
pub struct Session {
    agent: ureq::Agent,
    base: String,
}

impl Session {
    /// Starts the app at `application` with `args` through the driver at `driver_url`.
    pub fn start(driver_url: &str, application: &Path, args: &[String]) -> Result<Self, String> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": application, "args": args},
        }}});
        let v = send(&agent, "POST", &format!("{driver_url}/session"), Some(caps))?;
        let id = v["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {v}"))?;
        Ok(Self {
            agent,
            base: format!("{driver_url}/session/{id}"),
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        send(&self.agent, method, &format!("{}{path}", self.base), body)
    }

    pub fn find(&self, css: &str) -> Result<Element, String> {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        element(&v).ok_or_else(|| format!("no element {css} in {v}"))
    }

    pub fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let v = self.call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(element).collect())
            .unwrap_or_default())
    }

    /// Waits up to `timeout` for an element matching `css`.
    pub fn wait(&self, css: &str, timeout: Duration) -> Element {
        let start = Instant::now();
        loop {
            let last = match self.find(css) {
                Ok(e) => return e,
                Err(e) => e,
            };
            assert!(
                start.elapsed() < timeout,
                "no element {css} after {timeout:?}: {last}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits up to `timeout` until `f` returns something.
    pub fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut f: impl FnMut(&Self) -> Option<T>,
    ) -> T {
        let start = Instant::now();
        loop {
            if let Some(v) = f(self) {
                return v;
            }
            assert!(start.elapsed() < timeout, "{what}: not after {timeout:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn click(&self, e: &Element) -> Result<(), String> {
        self.call("POST", &format!("/element/{}/click", e.0), Some(json!({})))
            .map(drop)
    }

    pub fn click_css(&self, css: &str) {
        let e = self.wait(css, Duration::from_secs(10));
        self.click(&e)
            .unwrap_or_else(|m| panic!("click {css}: {m}"));
    }

    pub fn type_text(&self, e: &Element, text: &str) -> Result<(), String> {
        self.call(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({"text": text})),
        )
        .map(drop)
    }

    pub fn clear(&self, e: &Element) -> Result<(), String> {
        self.call("POST", &format!("/element/{}/clear", e.0), Some(json!({})))
            .map(drop)
    }

    pub fn text(&self, e: &Element) -> Result<String, String> {
        let v = self.call("GET", &format!("/element/{}/text", e.0), None)?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    pub fn attr(&self, e: &Element, name: &str) -> Result<Option<String>, String> {
        let v = self.call("GET", &format!("/element/{}/attribute/{name}", e.0), None)?;
        Ok(v.as_str().map(str::to_string))
    }

    /// Runs a script in the page and returns its value.
    pub fn script(&self, script: &str) -> Result<Value, String> {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Saves a PNG of the window.
    pub fn screenshot(&self, path: &Path) -> Result<(), String> {
        let v = self.call("GET", "/screenshot", None)?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        std::fs::write(path, png).map_err(|e| e.to_string())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = send(&self.agent, "DELETE", &self.base, None);
    }
}

fn element(v: &Value) -> Option<Element> {
    v.get(ELEMENT)
        .and_then(Value::as_str)
        .map(|s| Element(s.to_string()))
}

fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let resp = match (method, body) {
        ("POST", Some(b)) => agent.post(url).send_json(&b),
        ("POST", None) => agent.post(url).send_json(json!({})),
        ("DELETE", _) => agent
            .delete(url)
            .config()
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .call(),
        _ => agent.get(url).call(),
    };
    let mut resp = resp.map_err(|e| format!("{method} {url}: {e}"))?;
    let status = resp.status();
    let v: Value = resp
        .body_mut()
        .read_json()
        .map_err(|e| format!("{method} {url}: {status}, no JSON: {e}"))?;
    if !status.is_success() {
        return Err(format!("{method} {url}: {status}: {}", v["value"]));
    }
    Ok(v["value"].clone())
}
