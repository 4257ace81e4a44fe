//! `shipgate demo`: the team's release process, walked end to end on a throw-away
//! service repository and its server, with the real hooks firing on the real `git`.
//!
//! The script (`steps`, data compiled in from `templates/demo.toml`) says who does what
//! and what the process expects of each command; this runner prints each step (the
//! narration, the command as a person types it, shipgate's real output) and checks the
//! outcome. A refusal that does not happen, or an accepted command that is refused,
//! stops the demo with exit 1 naming the step: the demo is an end-to-end check too.

pub mod edit;
pub mod robot;
pub mod steps;
pub mod world;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::error::{io_at, Error, Result, EXIT_OK, EXIT_REFUSED};
use crate::git::demo::{self as rungit, Ran};
use crate::i18n::Lang;
use crate::messages::Msg;
use crate::ui::{Tone, Ui};
use crate::Context;

use robot::Robot;
use steps::{Action, Person, Script, Step};
use world::World;

/// What the demo is asked to do.
pub struct Options<'a> {
    /// Build the world here and leave it (must not exist, or be empty).
    pub keep: Option<&'a Path>,
    /// The binary that runs the steps' `shipgate` and the hooks.
    pub exe: PathBuf,
    /// A script to run instead of the built-in one (its text).
    pub script: Option<String>,
}

pub fn run(ctx: &Context, options: &Options) -> Result<u8> {
    let started = Instant::now();
    let lang = ctx.lang();
    let ui = ctx.ui();
    let script = steps::parse(options.script.as_deref().unwrap_or(steps::SCRIPT))?;
    let mut world = World::create(
        options.keep,
        options.exe.clone(),
        ctx.env.path.as_deref(),
        lang,
    )?;
    let robot = Robot::start()?;
    world.set_env(robot::URL_ENV, robot.url());
    world.seed(&script.people)?;
    if options.keep.is_some() {
        world.keep();
    }

    let mut demo = Demo {
        ui: &ui,
        lang,
        script: &script,
        world: &world,
        robot: &robot,
        refusals: 0,
    };
    demo.intro();
    for (n, step) in script.steps.iter().enumerate() {
        if let Err(failure) = demo.step(n, step)? {
            ui.error(&failure);
            world.keep();
            ui.hint(&Msg::HintDemoLook {
                dir: world.root.display().to_string(),
            });
            return Ok(EXIT_REFUSED);
        }
    }
    ui.line("");
    ui.line(&ui.paint_out(
        Tone::Good,
        &ui.text(&Msg::DemoDone {
            steps: script.steps.len().to_string(),
            refusals: demo.refusals.to_string(),
            seconds: format!("{:.1}", started.elapsed().as_secs_f64()),
        }),
    ));
    let heard = robot.heard();
    if heard > 0 {
        ui.say(&Msg::DemoRobotHeard {
            count: heard.to_string(),
        });
    }
    if world.is_temporary() {
        ui.say(&Msg::DemoRemoved);
    } else {
        let service = world.root.join(world::SERVICE);
        ui.say(&Msg::DemoKept {
            dir: world.root.display().to_string(),
            command: format!(
                "cd {} && git log --oneline --graph --all",
                shell_word(&service.display().to_string())
            ),
        });
    }
    Ok(EXIT_OK)
}

struct Demo<'a> {
    ui: &'a Ui,
    lang: Lang,
    script: &'a Script,
    world: &'a World,
    robot: &'a Robot,
    refusals: usize,
}

/// A step's outcome differs from what the process expects: what happened.
type Outcome = std::result::Result<(), Box<Msg>>;

impl Demo<'_> {
    fn intro(&self) {
        let ui = self.ui;
        ui.say(&Msg::DemoHeader {
            dir: self.world.root.display().to_string(),
        });
        for person in &self.script.people {
            ui.say(&Msg::DemoPerson {
                name: person.name.clone(),
                login: person.login.clone(),
                role: person.role.get(self.lang).to_string(),
            });
        }
        let url = crate::notify::parse_webhook(self.robot.url())
            .map(|url| crate::notify::shown_url(&url))
            .unwrap_or_default();
        ui.say(&Msg::DemoRobot { url });
        ui.line(self.script.intro.get(self.lang).trim_end());
    }

    fn person(&self, login: &str) -> &Person {
        self.script
            .people
            .iter()
            .find(|p| p.login == login)
            .expect("the script's people were checked when it was read")
    }

    /// Runs one step; `Ok(Err(_))` when it did not go as the process expects.
    fn step(&mut self, n: usize, step: &Step) -> Result<Outcome> {
        let ui = self.ui;
        let lang = self.lang;
        ui.line("");
        ui.line(&format!(
            "── {}/{} {} ──",
            n + 1,
            self.script.steps.len(),
            step.title.get(lang)
        ));
        ui.line(step.say.get(lang).trim_end());
        let label = format!("{} ({})", n + 1, step.id);
        for action in &step.actions {
            let common = action.common();
            let person = self.person(common.who.unwrap_or(&step.who));
            let env = self.world.env(person, &step.at);
            let dir = match common.dir {
                Some(dir) => self.world.root.join(dir),
                None => self.world.root.join(world::SERVICE),
            };
            if common.past {
                ui.line(&ui.paint_out(Tone::Good, &ui.text(&Msg::DemoWayPast)));
            }
            if let Some(say) = common.say {
                if !common.past {
                    ui.line("");
                }
                ui.line(say.get(lang).trim_end());
            }
            let prompt = self.prompt(person, &dir, &env)?;
            let outcome = match action {
                Action::Run(run) => {
                    let words = run.run.get(lang);
                    let typed = words
                        .iter()
                        .map(|w| shell_word(w))
                        .collect::<Vec<_>>()
                        .join(" ");
                    ui.line(&format!("{prompt}{typed}"));
                    let ran = self.world.run(words, &dir, &env)?;
                    self.output(&ran.output);
                    self.judge(&label, &typed, run, &ran, lang)
                }
                Action::Edit(edit) => {
                    let path = dir.join(&edit.edit);
                    let before = fs::read_to_string(&path).map_err(io_at(&path))?;
                    let placeholder = self.script.placeholder.get(lang);
                    let after = edit::apply(&before, edit, lang, placeholder).map_err(|what| {
                        Error::new(Msg::DemoEditMissing {
                            step: label.clone(),
                            path: edit.edit.clone(),
                            what,
                        })
                    })?;
                    fs::write(&path, &after).map_err(io_at(&path))?;
                    self.show_edit(&prompt, &edit.edit, &before, &after);
                    Ok(())
                }
                Action::Write(write) => {
                    let path = dir.join(&write.write);
                    let before = match fs::read_to_string(&path) {
                        Ok(text) => text,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                        Err(e) => return Err(Error::io(&path, &e)),
                    };
                    if let Some(parent) = path.parent() {
                        fs::create_dir_all(parent).map_err(io_at(parent))?;
                    }
                    let text = write.text.get(lang);
                    fs::write(&path, text).map_err(io_at(&path))?;
                    self.show_edit(&prompt, &write.write, &before, text);
                    Ok(())
                }
            };
            if outcome.is_err() {
                return Ok(outcome);
            }
        }
        Ok(Ok(()))
    }

    /// `李四 order-api (test)$ `: who, where, on which branch.
    fn prompt(&self, person: &Person, dir: &Path, env: &rungit::Hermetic) -> Result<String> {
        let place = if dir == self.world.root {
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| ".".into())
        } else {
            self.world.shown(dir)
        };
        let branch = if dir.join(".git").exists() {
            rungit::branch(dir, env)?
                .map(|b| format!(" ({b})"))
                .unwrap_or_default()
        } else {
            String::new()
        };
        let prompt = format!("{} {place}{branch}$", person.name);
        Ok(format!("  {} ", self.ui.paint_out(Tone::Good, &prompt)))
    }

    /// What a command printed, indented under it.
    fn output(&self, text: &str) {
        for line in text.trim_end().lines() {
            self.ui.line(format!("      {line}").trim_end());
        }
    }

    /// An edit as a person makes it in their editor: the lines that changed.
    fn show_edit(&self, prompt: &str, path: &str, before: &str, after: &str) {
        let ui = self.ui;
        ui.line(&format!("{prompt}$EDITOR {}", shell_word(path)));
        ui.line(&format!("      {}", ui.text(&Msg::DemoEdited)));
        for (line, text) in edit::changed_lines(before, after) {
            ui.line(format!("      {line:>4}  {text}").trim_end());
        }
    }

    /// Checks the command's outcome; a refusal the process expects is said as such.
    fn judge(
        &mut self,
        label: &str,
        typed: &str,
        run: &steps::Run,
        ran: &Ran,
        lang: Lang,
    ) -> Outcome {
        if verdict(label, typed, run, ran, lang)? {
            self.refusals += 1;
            let ui = self.ui;
            let code = Msg::DemoRefused {
                code: ran.code.unwrap_or(1).to_string(),
            };
            ui.line(&format!("  {}", ui.paint_out(Tone::Bad, &ui.text(&code))));
        }
        Ok(())
    }
}

/// Whether the command did what the process expects of it: `Ok(true)` for an expected
/// refusal, `Ok(false)` for an expected acceptance, else what happened instead.
fn verdict(
    label: &str,
    typed: &str,
    run: &steps::Run,
    ran: &Ran,
    lang: Lang,
) -> std::result::Result<bool, Box<Msg>> {
    let code = ran
        .code
        .map_or_else(|| "signal".to_string(), |c| c.to_string());
    let step = label.to_string();
    let command = typed.to_string();
    let shown = |needles: &[String]| -> std::result::Result<(), Box<Msg>> {
        let missing: Vec<&str> = needles
            .iter()
            .filter(|n| !ran.output.contains(n.as_str()))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Box::new(Msg::DemoNotShown {
                step: step.clone(),
                command: command.clone(),
                missing: missing.join(" "),
            }))
        }
    };
    match run.refused.as_ref().map(|n| n.get(lang)) {
        Some(needles) => {
            if ran.code == Some(0) {
                return Err(Box::new(Msg::DemoNotRefused {
                    step,
                    command,
                    expected: needles.join(" "),
                }));
            }
            // Exit 2 is shipgate failing to do its job, never a refusal.
            if ran.code != Some(1) {
                return Err(Box::new(Msg::DemoBadExit {
                    step,
                    command,
                    code,
                }));
            }
            shown(needles)?;
            Ok(true)
        }
        None => {
            if ran.code != Some(0) {
                return Err(Box::new(Msg::DemoNotAccepted {
                    step,
                    command,
                    code,
                }));
            }
            shown(run.shows.as_ref().map_or(&[][..], |n| n.get(lang)))?;
            Ok(false)
        }
    }
}

/// `word` as a person types it in sh: bare when nothing in it is special, else quoted.
pub fn shell_word(word: &str) -> String {
    // sh gives no meaning to characters beyond ASCII: `优惠券叠加，提测` needs no quotes.
    let plain = |c: char| c.is_ascii_alphanumeric() || !c.is_ascii() || "-_./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else if word.contains('\'') && !word.contains(['"', '$', '`', '\\', '!']) {
        format!("\"{word}\"")
    } else {
        crate::shim::sh_quote(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(toml_text: &str) -> steps::Run {
        toml::from_str(toml_text).unwrap()
    }

    fn ran(code: i32, output: &str) -> Ran {
        Ran {
            code: Some(code),
            output: output.into(),
        }
    }

    #[test]
    fn an_outcome_other_than_the_expected_one_is_named() {
        let refusal = run(r#"run = ["git", "commit"]
refused = ["[F1]"]"#);
        let accepted = run(r#"run = ["shipgate", "check-master"]
shows = ["CLEAN"]"#);
        let say = |r: std::result::Result<bool, Box<Msg>>| r.unwrap_err().render(Lang::En);
        assert_eq!(
            verdict(
                "4 (test)",
                "git commit",
                &refusal,
                &ran(1, "error: [F1] test"),
                Lang::En
            ),
            Ok(true)
        );
        assert!(say(verdict(
            "4 (test)",
            "git commit",
            &refusal,
            &ran(0, ""),
            Lang::En
        ))
        .starts_with(
            "demo step 4 (test): `git commit` was accepted, but the process refuses it ([F1])"
        ));
        assert!(say(verdict(
            "4 (test)",
            "git commit",
            &refusal,
            &ran(2, "error: [F1]"),
            Lang::En
        ))
        .contains("exited 2, not 1"));
        assert!(say(verdict(
            "4 (test)",
            "git commit",
            &refusal,
            &ran(1, "error: [F6]"),
            Lang::En
        ))
        .contains("does not show [F1]"));
        assert_eq!(
            verdict(
                "9 (cm)",
                "shipgate check-master",
                &accepted,
                &ran(0, "CLEAN"),
                Lang::En
            ),
            Ok(false)
        );
        assert!(say(verdict(
            "9 (cm)",
            "shipgate check-master",
            &accepted,
            &ran(1, "LOST"),
            Lang::En
        ))
        .contains("`shipgate check-master` failed (exit 1), but the process accepts it"));
        assert!(say(verdict(
            "9 (cm)",
            "shipgate check-master",
            &accepted,
            &ran(0, "LOST"),
            Lang::En
        ))
        .contains("does not show CLEAN"));
    }

    #[test]
    fn words_are_quoted_only_when_sh_needs_it() {
        assert_eq!(
            shell_word("feature/coupon-stacking"),
            "feature/coupon-stacking"
        );
        assert_eq!(shell_word("coupon: stacking"), "'coupon: stacking'");
        assert_eq!(
            shell_word("Merge branch 'test' into release"),
            "\"Merge branch 'test' into release\""
        );
        assert_eq!(shell_word("it's $HOME"), r"'it'\''s $HOME'");
        assert_eq!(shell_word("订单创建 5xx"), "'订单创建 5xx'");
        assert_eq!(shell_word("优惠券叠加，提测"), "优惠券叠加，提测");
        assert_eq!(shell_word(""), "''");
    }
}
