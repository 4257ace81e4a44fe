//! The message catalog: every user-facing line, in English and Simplified Chinese.
//!
//! A message is a `Msg` value carrying its arguments; `render` picks the language. The
//! `catalog!` macro makes a missing translation a compile error, so the two languages can
//! never drift apart. Logic code builds `Msg` values; only `ui` renders and prints them.

use crate::i18n::Lang;

/// Stands between the items of a list inside a message argument until the message is
/// rendered: then it becomes `, ` in English and `、` in Chinese (see `list`).
const LIST_MARK: char = '\u{1f}';

/// The items of a list, for a message argument (`people`, `paths`, ...): the message
/// says them with its language's separator, `a, b` or `a、b`.
pub fn list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(LIST_MARK);
        }
        out.push_str(item.as_ref());
    }
    out
}

macro_rules! catalog {
    ($( $name:ident $({ $($field:ident),* $(,)? $(; $($sub:ident),+ $(,)?)? })? => en $en:literal, zh $zh:literal; )*) => {
        /// One user-facing message with its arguments. Fields after `;` in the catalog are
        /// messages themselves (a detail said in the same language as the sentence around
        /// it); the others are values said as they are.
        #[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub enum Msg {
            $( $name $({ $($field: String,)* $($($sub: Box<Msg>,)+)? })?, )*
        }

        impl Msg {
            /// The message in `lang`.
            #[allow(unused_variables)]
            pub fn render(&self, lang: Lang) -> String {
                let text = match self {
                    $( Msg::$name $({ $($field,)* $($($sub,)+)? })? => {
                        $($($( let $sub = $sub.render(lang); )+)?)?
                        match lang {
                            Lang::En => format!($en),
                            Lang::ZhCn => format!($zh),
                        }
                    }, )*
                };
                if text.contains(LIST_MARK) {
                    let separator = match lang {
                        Lang::En => ", ",
                        Lang::ZhCn => "、",
                    };
                    text.replace(LIST_MARK, separator)
                } else {
                    text
                }
            }

            /// The message with `f` applied to every value it says, its details' too
            /// (scrubbing a secret out of a robot's reply).
            #[allow(unused_variables)]
            pub fn map_values(self, f: &dyn Fn(String) -> String) -> Msg {
                match self {
                    $( Msg::$name $({ $($field,)* $($($sub,)+)? })? => Msg::$name $({
                        $($field: f($field),)*
                        $($($sub: Box::new($sub.map_values(f)),)+)?
                    })?, )*
                }
            }

            /// Every message id, for the catalog's own tests.
            #[cfg(test)]
            pub const IDS: &'static [&'static str] = &[$(stringify!($name)),*];
        }
    };
}

/// Marks a message carried inside a plain string (see `Msg::encode`).
const ENCODED_MARK: char = '\u{1e}';

impl Msg {
    /// Text that comes from outside shipgate (git's stderr, a robot's reply, an OS error),
    /// said as it is inside a catalog sentence.
    pub fn verbatim(text: impl Into<String>) -> Box<Msg> {
        Box::new(Msg::Verbatim { text: text.into() })
    }

    /// The message as a plain string, for the places that can only pass strings on
    /// (serde's `try_from` errors); `decode` gets the message back.
    pub fn encode(&self) -> String {
        let json = serde_json::to_string(self).expect("a message serializes");
        format!("{ENCODED_MARK}{json}")
    }

    /// The message `encode` put into `text`, or `None` for any other text.
    pub fn decode(text: &str) -> Option<Msg> {
        let json = text.trim().strip_prefix(ENCODED_MARK)?;
        serde_json::from_str(json).ok()
    }

    /// The message `encode` put into `text`, or `text` itself said as it is.
    pub fn decode_or_verbatim(text: &str) -> Box<Msg> {
        match Msg::decode(text) {
            Some(msg) => Box::new(msg),
            None => Msg::verbatim(text),
        }
    }
}

catalog! {
    // ----- generic -----
    PrefixError => en "error:", zh "错误：";
    PrefixWarning => en "warning:", zh "警告：";
    PrefixHint => en "hint:", zh "提示：";
    Io { path, detail } => en "cannot access `{path}`: {detail}", zh "无法访问 `{path}`：“{detail}”";
    NotAGitRepo { path } => en "`{path}` is not inside a git repository", zh "`{path}` 不在 git 仓库中";
    HintNotAGitRepo => en "run shipgate inside a service repository, or name one with `--repo PATH`",
        zh "请在服务仓库内运行 shipgate，或用 `--repo PATH` 指定仓库";
    GitFailed { command, dir; detail } => en "`{command}` failed in `{dir}`: {detail}",
        zh "在 `{dir}` 中执行 `{command}` 失败：{detail}";
    GitMissing { detail } => en "cannot run `git`: {detail}", zh "无法运行 `git`：“{detail}”";
    HintGitMissing => en "install git and make sure it is on PATH", zh "请安装 git 并确保它在 PATH 中";
    GitRead { detail } => en "cannot read the repository: {detail}", zh "无法读取仓库：“{detail}”";
    GitOpen { path, detail } => en "cannot open the git repository at `{path}`: {detail}",
        zh "无法打开 `{path}` 处的 git 仓库：“{detail}”";

    // ----- config -----
    ConfigInvalid { path, line, column; detail } => en "{path}:{line}:{column}: {detail}",
        zh "{path}:{line}:{column}: {detail}";
    HintConfigInvalid { path } => en "fix `{path}`, then run `shipgate config check`",
        zh "请修改 `{path}`，然后运行 `shipgate config check`";
    ConfigOk { path } => en "{path}: ok", zh "{path}：正确";
    ConfigMissing { path } => en "`{path}` does not exist; the built-in defaults apply",
        zh "`{path}` 不存在；将使用内置默认配置";
    HintConfigMissing => en "run `shipgate install` to write the default `.shipgate.toml`, then commit it",
        zh "运行 `shipgate install` 写入默认的 `.shipgate.toml`，然后提交它";

    // ----- install -----
    InstallHeader { repo, hooks_dir } => en "shipgate: {repo} (hooks in {hooks_dir})",
        zh "shipgate：{repo}（钩子目录 {hooks_dir}）";
    DryRunHeader { repo, hooks_dir } => en "shipgate (dry run, nothing written): {repo} (hooks in {hooks_dir})",
        zh "shipgate（演练，未写入任何文件）：{repo}（钩子目录 {hooks_dir}）";
    StateInstalled => en "installed", zh "已安装";
    StateUpgraded => en "upgraded", zh "已升级";
    StateCurrent => en "already current", zh "已是最新";
    StateSkippedBare => en "skipped: bare repository (client hooks never run there)",
        zh "跳过：裸仓库（客户端钩子不会在其中运行）";
    StateFailed { why } => en "failed: {why}", zh "失败：{why}";
    StateRemoved => en "removed", zh "已移除";
    StateWouldInstall => en "would install", zh "将安装";
    StateWouldUpgrade => en "would upgrade", zh "将升级";
    StateWouldRemove => en "would remove", zh "将移除";
    StateRestored => en "removed, original hook restored", zh "已移除，并恢复原有钩子";
    StateWouldRestore => en "would remove and restore the original hook", zh "将移除并恢复原有钩子";
    ColumnHook => en "hook", zh "钩子";
    ColumnResult => en "result", zh "结果";
    ConfigWouldWrite { path } => en "would write the default config `{path}`", zh "将写入默认配置 `{path}`";
    StateNotInstalled => en "not installed", zh "未安装";
    HookKeptForeign { backup } => en "the existing hook was kept as `{backup}` and runs first",
        zh "原有钩子已保留为 `{backup}`，并会先运行";
    HookRestoredForeign { backup } => en "restored the original hook from `{backup}`",
        zh "已从 `{backup}` 恢复原有钩子";
    HookForeignLeft => en "not a shipgate hook; left alone", zh "不是 shipgate 的钩子；保持不动";
    ConfigWritten { path } => en "wrote the default config `{path}`: name your owners, tech leads and QA in it and commit it; it governs everyone once it is on the production branch",
        zh "已写入默认配置 `{path}`：在其中填写系统负责人、技术负责人和 QA 后提交；进入生产分支后对所有人生效";
    ConfigKept { path } => en "kept the existing config `{path}`", zh "保留现有配置 `{path}`";
    ConfigLeft { path } => en "left `{path}` and the plan documents in place", zh "`{path}` 与发布计划保持不动";
    HooksPathOutside { value, scope } => en "`core.hooksPath` is set to `{value}` in your {scope} git config; shipgate never writes hooks outside the repository",
        zh "你的 {scope} git 配置把 `core.hooksPath` 设为 `{value}`；shipgate 从不在仓库之外写入钩子";
    HintHooksPathLocal { dir } => en "give this repository its own hooks: `git config --local core.hooksPath {dir}`, then run `shipgate install` again",
        zh "为本仓库单独指定钩子目录：`git config --local core.hooksPath {dir}`，然后重新运行 `shipgate install`";
    HintHooksPathUnset { scope } => en "or stop using a shared hooks directory: `git config --{scope} --unset core.hooksPath`",
        zh "或者不再使用共享钩子目录：`git config --{scope} --unset core.hooksPath`";
    HooksDirOutside { dir, repo } => en "git runs hooks from `{dir}`, which is outside the repository `{repo}`; shipgate never writes there",
        zh "git 从 `{dir}` 运行钩子，该目录在仓库 `{repo}` 之外；shipgate 不会写入那里";
    HintHooksDirOutside { dir } => en "point `core.hooksPath` inside the repository: `git config --local core.hooksPath {dir}`",
        zh "请把 `core.hooksPath` 指向仓库内部：`git config --local core.hooksPath {dir}`";
    ForeignBackupExists { hook, backup } => en "`{hook}` is not a shipgate hook and `{backup}` already exists; refusing to overwrite either",
        zh "`{hook}` 不是 shipgate 的钩子，而 `{backup}` 已存在；拒绝覆盖其中任何一个";
    HintForeignBackupExists { backup } => en "compare the two files, keep the one you want as `{backup}`, remove the other, then run `shipgate install` again",
        zh "请比较这两个文件，把要保留的那个命名为 `{backup}`，删除另一个，然后重新运行 `shipgate install`";
    NewerShim { path, version } => en "`{path}` was written by a newer shipgate (shim version {version})",
        zh "`{path}` 由更新版本的 shipgate 写入（钩子脚本版本 {version}）";
    HintNewerShim => en "install the newer shipgate (`./install.sh`) or re-run with `--force` to write this version's hooks",
        zh "请安装新版 shipgate（`./install.sh`），或加 `--force` 重新运行以写入本版本的钩子";
    HookIgnored { path; why } => en "git will not run `{path}`: {why}", zh "git 不会运行 `{path}`：{why}";
    HintHookIgnored => en "check the file system (mounted `noexec`?) and your git config, then run `shipgate doctor`",
        zh "请检查文件系统（是否以 `noexec` 挂载？）与 git 配置，然后运行 `shipgate doctor`";
    WhyMissing => en "it does not exist", zh "文件不存在";
    WhyNotExecutable => en "it is not executable", zh "文件没有可执行权限";
    WhyNotFile => en "it is not a regular file", zh "它不是普通文件";
    WhyWrongDir { dir } => en "git now looks for hooks in `{dir}`", zh "git 现在从 `{dir}` 查找钩子";

    // ----- fleet -----
    FleetNoRepos { dir } => en "no git repositories found under `{dir}`", zh "`{dir}` 下没有找到 git 仓库";
    FleetColumnRepo => en "repository", zh "仓库";
    FleetSummary { total, ok, failed } => en "{total} repositories: {ok} ok, {failed} failed",
        zh "共 {total} 个仓库：{ok} 个成功，{failed} 个失败";
    FleetWalkError { path, detail } => en "skipped `{path}`: {detail}", zh "已跳过 `{path}`：“{detail}”";
    HintFleetFailed => en "run `shipgate install --repo PATH` on a failed repository to see the full error and its hint",
        zh "对失败的仓库运行 `shipgate install --repo PATH` 查看完整错误与提示";

    // ----- doctor -----
    Ok => en "ok", zh "正常";
    DoctorHookOk { binary, version } => en "ok, runs {binary} ({version})", zh "正常，运行 {binary}（{version}）";
    DoctorHookMissing => en "missing", zh "缺失";
    HintInstall => en "run `shipgate install`", zh "运行 `shipgate install`";
    DoctorHookForeign => en "not a shipgate hook", zh "不是 shipgate 的钩子";
    HintInstallKeepsForeign => en "run `shipgate install`: it keeps the existing hook and runs it first",
        zh "运行 `shipgate install`：它会保留原有钩子并先运行它";
    DoctorHookNotExecutable { path } => en "not executable: git ignores it", zh "没有可执行权限：git 会忽略它";
    HintChmod { path } => en "run `chmod +x {path}` (or `shipgate install`)", zh "运行 `chmod +x {path}`（或 `shipgate install`）";
    DoctorHookStale { version, current } => en "written by shim version {version}; this shipgate writes {current}",
        zh "由钩子脚本版本 {version} 写入；当前 shipgate 写入的是版本 {current}";
    DoctorBinaryMissing { recorded } => en "its binary `{recorded}` is gone and `shipgate` is not on PATH: every commit and push fails",
        zh "它记录的程序 `{recorded}` 已不存在，PATH 中也没有 `shipgate`：所有提交和推送都会失败";
    HintInstallBinary => en "run `./install.sh` in the shipgate checkout, then `shipgate install`",
        zh "在 shipgate 源码目录运行 `./install.sh`，然后运行 `shipgate install`";
    DoctorBinaryVersion { binary, theirs, ours } => en "runs {binary}, version {theirs}; this shipgate is {ours}",
        zh "运行 {binary}，版本 {theirs}；当前 shipgate 为 {ours}";
    DoctorBinaryBroken { binary; detail } => en "runs {binary}, which does not answer `--version`: {detail}",
        zh "运行 {binary}，但它无法响应 `--version`：{detail}";
    DoctorColumnStatus => en "status", zh "状态";
    DoctorConfig => en "config", zh "配置";
    DoctorProblems { count } => en "{count} problem(s) found", zh "发现 {count} 个问题";
    DoctorAllGood => en "all good: git will run every shipgate hook", zh "一切正常：git 会运行每个 shipgate 钩子";
    DoctorBackup { backup } => en "the original hook `{backup}` runs first", zh "原有钩子 `{backup}` 会先运行";


    // ----- policy: branches and tags -----
    DirectCommit { branch } => en "direct commits to `{branch}` are refused", zh "拒绝直接向 `{branch}` 提交";
    DirectCommitUnderEmergency { branch } => en "EMERGENCY WINDOW: direct commit to `{branch}` allowed and recorded in the audit log",
        zh "紧急窗口：允许直接向 `{branch}` 提交，已记入审计日志";
    HintUseDevBranch { branch, new } => en "commit on a development branch instead (your staged changes come along), then open a PR into `{branch}`: `git switch -c {new}`",
        zh "请改在开发分支上提交（已暂存的改动会一起带过去），然后向 `{branch}` 发起 PR：`git switch -c {new}`";
    HintEmergency { reason } => en "production is down? `shipgate emergency start --reason {reason}` allows direct commits to release for a limited time, recorded in the audit log (E1)",
        zh "线上故障？`shipgate emergency start --reason {reason}` 会在限定时间内允许直接提交到发布分支，并记入审计日志（E1）";
    MergeNotReleaseTag { branch, commit } => en "merging {commit} into `{branch}` is refused: it is not a release tag",
        zh "拒绝把 {commit} 合并到 `{branch}`：它不是发布标签";
    HintMergeReleaseTag { branch, tag } => en "`{branch}` only moves to a release tag: QA tags the release and merges the tag, e.g. `git merge --no-ff {tag}`",
        zh "`{branch}` 只能前进到发布标签：由 QA 打标签并合并该标签，例如 `git merge --no-ff {tag}`";
    BranchDelete { branch } => en "deleting `{branch}` is refused: protected branches are never deleted",
        zh "拒绝删除 `{branch}`：受保护分支永远不能删除";
    HintBranchDelete { branch, remote } => en "`{branch}` stays on the remote, nothing to undo; bring your copy up to date with `git fetch {remote} {branch}`",
        zh "`{branch}` 仍在远程，无需撤销；用 `git fetch {remote} {branch}` 更新本地副本";
    FetchFirst { branch, old } => en "the remote's `{branch}` is at {old}, which this repository does not have: shipgate cannot tell whether this push rewrites it",
        zh "远程的 `{branch}` 位于 {old}，本仓库没有该提交：shipgate 无法判断这次推送是否改写了它";
    HintFetchFirst { remote } => en "run `git fetch {remote}`, then push again", zh "运行 `git fetch {remote}`，然后重新推送";
    ForcePush { branch } => en "this push rewrites `{branch}` (not a fast-forward): protected branches never lose commits",
        zh "这次推送会改写 `{branch}`（不是快进）：受保护分支不能丢失提交";
    HintForcePush { remote, branch } => en "integrate instead of rewriting: `git fetch {remote} && git merge {remote}/{branch}`, then push again without --force",
        zh "请合并而不是改写：`git fetch {remote} && git merge {remote}/{branch}`，然后不带 `--force` 重新推送";
    // ----- trust: what the client can know, merges by content -----
    RemoteUnreachable { url; detail } => en "cannot ask the remote `{url}` which branches and tags it has: {detail}",
        zh "无法向远程 `{url}` 查询它的分支和标签：{detail}";
    HintRemoteUnreachable { url } => en "a push to a protected branch or a release tag is judged by what the remote itself says it has; check that it answers, then push again: `git ls-remote {url}`",
        zh "推送受保护分支或发布标签时，shipgate 以远程自己报告的内容为准；请确认远程可以访问后重新推送：`git ls-remote {url}`";
    HistoryShallow { refname } => en "this clone is shallow: shipgate cannot see the history a push to `{refname}` brings, so it refuses rather than guess",
        zh "这是一个浅克隆：shipgate 看不到推送到 `{refname}` 的完整历史，因此拒绝而不是猜测";
    HintUnshallow { remote } => en "fetch the whole history, then push again: `git fetch --unshallow {remote}`",
        zh "请获取完整历史后重新推送：`git fetch --unshallow {remote}`";
    HistoryGrafts { refname } => en "`.git/info/grafts` rewrites commit parents in this clone: shipgate cannot trust the history a push to `{refname}` shows, so it refuses",
        zh "本仓库的 `.git/info/grafts` 改写了提交的父提交：shipgate 无法信任推送到 `{refname}` 的历史，因此拒绝";
    HintRemoveGrafts => en "move the grafts file away, then push again: `mv .git/info/grafts .git/info/grafts.off`",
        zh "请移走 grafts 文件后重新推送：`mv .git/info/grafts .git/info/grafts.off`";
    RemoteTipUnfetched { branch, id, refname } => en "the remote's `{branch}` is at {id}, which this clone has not fetched: shipgate needs it to judge the push to `{refname}`",
        zh "远程的 `{branch}` 位于 {id}，本仓库尚未获取：shipgate 需要它才能判断推送到 `{refname}` 是否合规";
    HintFetchBranch { remote, branch } => en "fetch it, then push again: `git fetch {remote} {branch}`",
        zh "请先获取，再重新推送：`git fetch {remote} {branch}`";
    EvilMerge { branch, commit, count } => en "merge {commit} on `{branch}` changes {count} file(s) beyond what merging its parents gives: a merge may only combine reviewed work",
        zh "`{branch}` 上的合并 {commit} 在合并父提交之外还改动了 {count} 个文件：合并只能组合已评审的代码";
    HintEvilMerge { branch } => en "commit those changes on a development branch and bring them into `{branch}` by a reviewed merge; redo the merge with `git merge` alone",
        zh "请把这些改动提交到开发分支，并通过经评审的合并带入 `{branch}`；合并本身只用 `git merge` 重新完成";
    PlaceMergeChanged { path } => en "{path}: differs from the automatic merge of the parents", zh "{path}：与父提交自动合并的结果不同";
    PlaceMergeAdded { path } => en "{path}: added by the merge itself, neither parent has it", zh "{path}：由合并提交本身新增，两个父提交都没有";
    PlaceMergeRemoved { path } => en "{path}: removed by the merge itself", zh "{path}：被合并提交本身删除";
    PlaceLineAdded { line } => en "  + {line}", zh "  + {line}";
    PlaceLineRemoved { line } => en "  - {line}", zh "  - {line}";
    ConflictResolved { branch, commit, paths } => en "merge {commit} on `{branch}` resolved conflicts in: {paths}",
        zh "`{branch}` 上的合并 {commit} 解决了以下文件的冲突：{paths}";
    ResolutionAddsLines { branch, commit, count } => en "merge {commit} into `{branch}` resolves conflicts with {count} line(s) that neither the release tag nor `{branch}` had",
        zh "合并 {commit} 在 `{branch}` 上解决冲突时加入了 {count} 行发布标签和 `{branch}` 都没有的代码";
    HintResolutionAdds { branch } => en "resolve the conflict on `{branch}` by taking lines from the release tag or from `{branch}` only; new code goes through a release",
        zh "在 `{branch}` 上解决冲突时只能取发布标签或 `{branch}` 已有的行；新代码必须走上线流程";
    OctopusMerge { branch, commit } => en "merge {commit} on `{branch}` merges more than two parents: shipgate judges merges one branch at a time",
        zh "`{branch}` 上的合并 {commit} 合并了两个以上的父提交：shipgate 只接受一次合并一个分支";
    HintOctopus { branch, commit, first, merges } => en "merge one development branch at a time into `{branch}`; when {commit} is its newest commit: `git switch {branch} && git reset --hard {first} && {merges}`, then push again",
        zh "请一次只把一个开发分支合并到 `{branch}`；当 {commit} 是它最新的提交时：`git switch {branch} && git reset --hard {first} && {merges}`，然后重新推送";
    TagNotOnRelease { tag, commit } => en "the release tag `{tag}` points at {commit}, which is on no release branch of the remote nor of this push: a release is tagged on `release`, after review",
        zh "发布标签 `{tag}` 指向 {commit}，它不在远程或本次推送的任何发布分支上：发布标签只能打在经评审合入发布分支的提交上";
    HintTagOnRelease { tag, remote, branch } => en "a release is tagged on what the remote's `{branch}` has, once the work is merged there by review (`git fetch {remote} && git tag -a {tag} {remote}/{branch}`); first delete this tag: `git tag -d {tag}`",
        zh "发布标签只能打在远程 `{branch}` 已有的提交上，代码须先经评审合并进入该分支（`git fetch {remote} && git tag -a {tag} {remote}/{branch}`）；请先删除这个标签：`git tag -d {tag}`";
    FirstParentLeaves { branch, old } => en "this push takes `{branch}`'s history off the remote's {old}: its first-parent chain must go on from what the remote has (that chain is how shipgate tells what was made on `{branch}`)",
        zh "这次推送让 `{branch}` 的历史离开了远程的 {old}：它的第一父提交链必须接在远程已有的提交之后（shipgate 靠这条链判断哪些提交产生于 `{branch}`）";
    HintFirstParent { remote, branch } => en "redo the merge on top of the remote's `{branch}`: `git fetch {remote} && git switch {branch} && git reset --hard {remote}/{branch}`, then merge your development branch again with `git merge --no-ff`",
        zh "请在远程 `{branch}` 之上重新合并：`git fetch {remote} && git switch {branch} && git reset --hard {remote}/{branch}`，再用 `git merge --no-ff` 合并你的开发分支";
    CopiesUnchecked { branch, test, commits, fixes } => en "too much to compare: {commits} commit(s) for `{branch}` against {fixes} commit(s) made on `{test}`; shipgate cannot tell within its bounds whether they carry copies of `{test}`'s commits, so it refuses",
        zh "需要比较的内容过多：推送到 `{branch}` 的 {commits} 个提交对比 {fixes} 个在 `{test}` 上产生的提交；shipgate 无法在限定范围内判断其中是否带有 `{test}` 提交的副本，因此拒绝";
    HintCopiesUnchecked { test } => en "push the release in smaller merges, or have the team release or drop what is waiting on `{test}` first",
        zh "请把这次上线拆成更小的合并，或先让团队上线或清理 `{test}` 上积压的提交";
    RemoteAnswerDisagrees { refname, push, answer } => en "asked for its refs, the remote says `{refname}` is at {answer}, but git push was told {push}: the answer did not come from where the push goes",
        zh "查询远程引用时，远程说 `{refname}` 位于 {answer}，而 `git push` 得到的是 {push}：这个回答不是来自推送的目标";
    HintRemoteAnswerDisagrees => en "push again; if it repeats, check the remote's `url`, `pushurl` and any `insteadOf` settings (`git config --get-regexp 'url\\..*|remote\\..*'`)",
        zh "请重新推送；如果再次出现，请检查远程的 `url`、`pushurl` 以及 `insteadOf` 设置（`git config --get-regexp 'url\\..*|remote\\..*'`）";
    NoteCopyOfTest { test, commit } => en "a copy of {commit}, made on `{test}`", zh "是 {commit} 的副本，该提交在 `{test}` 上产生";
    ProductionCreated { branch } => en "creating `{branch}` on the remote; from now on it only moves to release tags",
        zh "正在远程创建 `{branch}`；此后它只能前进到发布标签";
    DirectCommitsPushed { branch, count } => en "{count} commit(s) would land on `{branch}` without a reviewed merge: `{branch}` only receives merges of development branches",
        zh "{count} 个提交会未经评审合并直接进入 `{branch}`：`{branch}` 只接收开发分支的合并";
    DirectCommitsUnderEmergency { branch, count } => en "EMERGENCY WINDOW: {count} direct commit(s) to `{branch}` allowed and recorded in the audit log",
        zh "紧急窗口：允许 {count} 个直接提交进入 `{branch}`，已记入审计日志";
    HintPushBranchForReview { remote, source, branch } => en "push your development branch and open a PR into `{branch}` (2 approvals): `git push {remote} {source}`",
        zh "请推送开发分支并向 `{branch}` 发起 PR（需 2 人审批）：`git push {remote} {source}`";
    TestCodeInRelease { branch, test, count } => en "{count} commit(s) made on `{test}` would enter `{branch}`: release takes development branches, never `{test}`",
        zh "{count} 个在 `{test}` 上产生的提交会进入 `{branch}`：发布分支只接收开发分支，绝不接收 `{test}`";
    NoteMergedTest { test } => en "merged `{test}` in", zh "合并了 `{test}`";
    NoteMadeOnTest { test } => en "made on `{test}`", zh "在 `{test}` 上产生";
    HintRebuildWithoutTest { source, test, merge } => en "`{source}` merged `{test}` in ({merge}), so it carries test's commits; rebuild it from release with your own commits only:",
        zh "`{source}` 合并过 `{test}`（{merge}），因此带有 `{test}` 的提交；请基于发布分支只用你自己的提交重建它：";
    HintRebuildCommand { new, from, upstream } => en "  git switch -c {new} {upstream} && git cherry-pick $(git rev-list --reverse --no-merges --first-parent {from} ^{upstream})",
        zh "  git switch -c {new} {upstream} && git cherry-pick $(git rev-list --reverse --no-merges --first-parent {from} ^{upstream})";
    ProductionNotReleaseTag { branch, commit } => en "`{branch}` would move to {commit}, which is neither a release tag nor a merge of one",
        zh "`{branch}` 将前进到 {commit}，它既不是发布标签，也不是对发布标签的合并";
    TagDelete { tag } => en "deleting the release tag `{tag}` is refused: a pushed release tag is permanent",
        zh "拒绝删除发布标签 `{tag}`：已推送的发布标签不可更改";
    TagMove { tag, old, new } => en "moving the release tag `{tag}` from {old} to {new} is refused: a pushed release tag is permanent",
        zh "拒绝把发布标签 `{tag}` 从 {old} 移到 {new}：已推送的发布标签不可更改";
    HintTagFixed { tag } => en "restore your local tag with `git fetch --force origin tag {tag}`, and release the change under a new version",
        zh "用 `git fetch --force origin tag {tag}` 恢复本地标签，并以新版本号上线这次改动";
    MoreCommits { count } => en "... and {count} more", zh "……另有 {count} 个";
    CheckPushOk { refname } => en "{refname}: no rule refuses this update", zh "{refname}：没有规则拒绝这次更新";
    Sha256Unsupported { path } => en "`{path}` is a SHA-256 repository, which libgit2 cannot read yet",
        zh "`{path}` 是 SHA-256 仓库，libgit2 目前还无法读取";
    HintSha256 => en "check this push on the server or in CI, or skip once with `SHIPGATE_SKIP=1`",
        zh "请在服务器端或 CI 中检查这次推送，或用 `SHIPGATE_SKIP=1` 跳过一次";
    BadRevision { rev, detail } => en "`{rev}` does not name a commit: {detail}", zh "`{rev}` 不是一个提交：“{detail}”";
    ConfigAt { source } => en "policy from {source}", zh "策略来自 {source}";

    // ----- check-master -----
    NoReleaseTag { pattern } => en "there is no release tag (`{pattern}`) to check", zh "没有可检查的发布标签（`{pattern}`）";
    HintNameTag => en "tag a release first, or see the tags this repository has: `git tag --list` (release tags named otherwise: set `[tags] release` in .shipgate.toml, e.g. `release = \"release_*\"`)", zh "请先打发布标签，或查看本仓库已有的标签：`git tag --list`（发布标签另有命名时：在 .shipgate.toml 中设置 `[tags] release`，例如 `release = \"release_*\"`）";
    NoProductionBranch { branch } => en "there is no branch `{branch}` here, nor a remote-tracking one", zh "这里没有分支 `{branch}`，也没有对应的远程跟踪分支";
    HintFetchMaster { branch } => en "run `git fetch origin {branch}`, or name the branch with `--master REF`", zh "运行 `git fetch origin {branch}`，或用 `--master REF` 指定分支";
    CmHeader { tag, master, how } => en "check-master: {tag} → {master} ({how})", zh "check-master：{tag} → {master}（{how}）";
    CmMergedBy { commit, subject } => en "merged by {commit} \"{subject}\"", zh "由 {commit}“{subject}”合入";
    CmFastForward => en "fast-forwarded", zh "快进合入";
    CmNotMerged => en "not merged", zh "尚未合入";
    CmTagChangeMissing { commit, subject, author, date } => en "{commit} \"{subject}\" ({author}, {date}) is on the tag but not on master",
        zh "{commit}“{subject}”（{author}，{date}）在标签中，但不在 master 上";
    CmHotfixMissing { commit, subject, author, date } => en "{commit} \"{subject}\" ({author}, {date}) was on master before the release, and the tag lacks it: deploying the tag undoes it",
        zh "{commit}“{subject}”（{author}，{date}）上线前已在 master 上，但标签中没有：部署该标签会把它撤销";
    CmChangedLater { commit, subject } => en "{commit} \"{subject}\" reached master and was changed there later (a revert or a rewrite)",
        zh "{commit}“{subject}”已进入 master，之后在 master 上又被修改（还原或改写）";
    CmUndoneLater { commit, subject } => en "{commit} \"{subject}\" reached master, and a later commit there (not a revert) put its lines back to what they were before the release",
        zh "{commit}“{subject}”已进入 master，之后 master 上的一个提交（并非还原）把这些行改回了上线前的样子";
    CmRevertedOnMaster { commit, subject, author, date } => en "{commit} \"{subject}\" ({author}, {date}) is on the release branch, but master reverted it before the release came in and the merge kept the revert: the release does not carry it",
        zh "{commit}“{subject}”（{author}，{date}）在发布分支上，但发布合入前 master 已将其还原，合并保留了还原：该发布并不包含它";
    CmReleaseNotOnMaster { commit, subject, author, date, branch } => en "{commit} \"{subject}\" ({author}, {date}) is on `{branch}` but not on master yet: merge it back after verification (E4)",
        zh "{commit}“{subject}”（{author}，{date}）在 `{branch}` 上，但尚未合入 master：验证后请合回 master（E4）";
    CmMergeDropped { merge, subject, reason, commit, introduced, author, date } => en "{merge} \"{subject}\": {reason}; from {commit} \"{introduced}\" ({author}, {date})",
        zh "{merge}“{subject}”：{reason}；来自 {commit}“{introduced}”（{author}，{date}）";
    ReasonCleanlyMerged => en "lines that merged cleanly are gone from the result", zh "干净合并的行在合并结果中消失了";
    ReasonConflictDecision => en "a conflict was resolved by dropping one side's lines", zh "解决冲突时丢弃了一方的行";
    ReasonSuperseded => en "a conflict side's lines were dropped, but the other side has them (superseded)", zh "冲突一方的行被丢弃，但另一方也有这些行（已被取代）";
    ReasonWhitespace => en "only whitespace or line endings changed", zh "只有空白或换行符发生了变化";
    ReasonMoved => en "lines moved elsewhere in the file", zh "这些行被移到了文件的其他位置";
    ReasonVersionLine => en "a version-line conflict", zh "版本号行的冲突";
    ReasonBaseLine => en "a conflict side's line it left as the base had it, dropped for the other side's change or deletion of it", zh "冲突一方未改动的原有行，因另一方修改或删除了它而被丢弃";
    ReasonAddedByMerge => en "the merge added lines and dropped none", zh "合并新增了行，没有丢弃任何行";
    ReasonBinaryConflict => en "a binary file changed on both sides was resolved to one side", zh "两边都修改的二进制文件被解决为其中一方的版本";
    ReasonBinaryDropped => en "a binary file's change did not survive the merge", zh "二进制文件的修改在合并后丢失";
    ReasonModifyDelete => en "a modify/delete conflict: one side's change or deletion is gone", zh "修改/删除冲突：一方的修改或删除丢失了";
    ReasonGenerated => en "a generated file (linguist-generated, minified, or [check_master] generated): rebuilt, not written", zh "生成的文件（`linguist-generated`、压缩过的 JS/CSS 或 `[check_master] generated`）：重新生成，而非手写";
    ReasonDeletedInMerge => en "the merge deleted a file both parents have", zh "合并删除了两个父提交都有的文件";
    ReasonRewritten => en "the merge wrote its own version of the file, without lines that merged cleanly", zh "合并自行改写了该文件，干净合并的行不在其中";
    ReasonRepairedBeforeTag => en "lines a merge dropped, back in the tag before it shipped", zh "合并丢弃的行在打标签前已恢复";
    ReasonFileDropped => en "the merge deleted a file a parent changed", zh "合并删除了某个父提交修改过的文件";
    ReasonBroughtBack => en "brought back: a side deleted this, the automatic merge keeps it deleted, and the result has it again", zh "被恢复：一方删除了它，自动合并保持删除，而合并结果又把它带了回来";
    CmFileBroughtBack { path, count } => en "{path}: {count} line(s) brought back", zh "{path}：恢复了 {count} 行";
    CmFileLines { path, count } => en "{path}: {count} line(s) missing", zh "{path}：缺少 {count} 行";
    CmBinary { path } => en "{path}: binary content differs", zh "{path}：二进制内容不同";
    CmDroppedBy { commit, subject } => en "dropped by {commit} \"{subject}\"", zh "由 {commit}“{subject}”丢弃";
    CmRestore { command } => en "restore: {command}", zh "恢复：{command}";
    CmVerdictClean => en "verdict: CLEAN: master has every change of the tag, and the tag every change of master", zh "结论：CLEAN：master 包含标签的全部改动，标签也包含 master 的全部改动";
    CmVerdictLost { count } => en "verdict: LOST: {count} finding(s)", zh "结论：LOST：{count} 个发现项";
    CmVerdictReview { count } => en "verdict: REVIEW: {count} finding(s)", zh "结论：REVIEW：{count} 个发现项";
    CmVerdictNotMerged { tag, master } => en "verdict: NOT MERGED: `{tag}` is not on `{master}` yet", zh "结论：NOT MERGED：`{tag}` 尚未合入 `{master}`";
    HintMergeTag { tag } => en "QA merges the tag: `git switch master && git merge --no-ff {tag}`", zh "由 QA 合并该标签：`git switch master && git merge --no-ff {tag}`";
    HintAccept { rev } => en "after review, accept what is reported here with `--since {rev}`", zh "复核后，可用 `--since {rev}` 接受这里报告的内容";

    GateLostChanges { tag, count } => en "merging `{tag}` loses changes: {count} finding(s) (F14)", zh "合并 `{tag}` 会丢失改动：{count} 个发现项（F14）";
    GateLostLine { severity, commit, subject, count } => en "{severity}: {count} line(s) of {commit} \"{subject}\"", zh "{severity}：{commit}“{subject}”的 {count} 行";
    HintCheckMaster { tag, new } => en "see every line and how to restore it: `shipgate check-master {tag} --master {new}`",
        zh "查看每一行以及恢复方法：`shipgate check-master {tag} --master {new}`";

    // ----- emergency -----
    EmergencyBanner { until, reason } => en "EMERGENCY WINDOW OPEN until {until} ({reason}): direct commits to release are allowed and recorded; `shipgate emergency end` closes it",
        zh "紧急窗口开启中，截止 {until}（{reason}）：允许直接提交到发布分支，并全部记录；`shipgate emergency end` 可关闭";
    EmergencyStarted { until } => en "emergency window open until {until}; every commit and push to release or master is recorded (`shipgate emergency log`)",
        zh "紧急窗口已开启，截止 {until}；所有对发布分支或生产分支的提交与推送都会被记录（`shipgate emergency log`）";
    HintEmergencyDebt => en "afterwards write the emergency plan (kind `emergency`) for this release (E5)",
        zh "事后请为本次上线补写紧急上线的发布计划（`kind: emergency`，E5）";
    EmergencyAlreadyOpen { until, reason } => en "an emergency window is already open until {until} ({reason})",
        zh "紧急窗口已经开启，截止 {until}（{reason}）";
    HintEmergencyEnd => en "close it first with `shipgate emergency end`", zh "请先用 `shipgate emergency end` 关闭它";
    EmergencyEnded => en "emergency window closed; protected branches are protected again",
        zh "紧急窗口已关闭；受保护分支恢复保护";
    EmergencyNoneOpen => en "no emergency window is open", zh "当前没有开启的紧急窗口";
    EmergencyExpired { at } => en "the last emergency window expired at {at}", zh "上一个紧急窗口已于 {at} 过期";
    EmergencyStatus { until, reason, by, started } => en "emergency window open until {until}: {reason} (opened by {by} at {started})",
        zh "紧急窗口开启中，截止 {until}：{reason}（由 {by} 于 {started} 开启）";
    EmergencyLogEmpty => en "the emergency audit log is empty", zh "紧急审计日志为空";
    EmergencyBadDuration { value; detail } => en "the emergency window cannot last `{value}`: {detail}", zh "紧急窗口的时长不能是 `{value}`：{detail}";
    HintDuration => en "write it like `2h`, `90m` or `1h 30m`", zh "请写成 `2h`、`90m` 或 `1h 30m` 的形式";
    EmergencyStateInvalid { path; detail } => en "`{path}` is damaged: {detail}", zh "`{path}` 已损坏：{detail}";
    HintEmergencyState { path } => en "remove `{path}` and start the window again with `shipgate emergency start`",
        zh "删除 `{path}`，然后用 `shipgate emergency start` 重新开启窗口";
    ColumnWhen => en "when", zh "时间";
    ColumnWho => en "who", zh "操作人";
    ColumnAction => en "action", zh "操作";
    ColumnRef => en "ref", zh "引用";
    ColumnOldNew => en "old → new", zh "旧 → 新";
    ColumnReason => en "reason", zh "原因";


    // ----- plans -----
    TemplateInvalid { name, line, detail } => en "template `{name}` line {line}: {detail}", zh "模板 `{name}` 第 {line} 行：“{detail}”";
    PlanMissing { path } => en "there is no plan `{path}`", zh "发布计划 `{path}` 不存在";
    PlanNone { dir } => en "there are no plans in `{dir}`", zh "`{dir}` 中没有发布计划";
    HintPlanNew { kind, version } => en "write one with `shipgate plan new --kind {kind} --version {version}`", zh "用 `shipgate plan new --kind {kind} --version {version}` 生成一份发布计划";
    PlanExists { path } => en "`{path}` already exists; shipgate never overwrites a plan", zh "`{path}` 已存在；shipgate 不会覆盖发布计划";
    HintPlanDiff { kind, version } => en "see how it differs from a fresh render: `shipgate plan new --kind {kind} --version {version} --diff`",
        zh "查看它与重新生成的模板有何不同：`shipgate plan new --kind {kind} --version {version} --diff`";
    PlanWritten { path } => en "wrote `{path}`", zh "已生成 `{path}`";
    HintPlanNext { version, stage } => en "fill it in, commit it, and see what is missing with `shipgate plan check {version} --stage {stage}`",
        zh "填写并提交后，用 `shipgate plan check {version} --stage {stage}` 查看还缺什么";
    TemplateWritten { path } => en "wrote `{path}`", zh "已写入 `{path}`";
    TemplateKept { path } => en "kept `{path}`", zh "保留 `{path}`";
    HintTemplates => en "edit them and commit them: `shipgate plan new` and `shipgate rollback` use these copies from now on",
        zh "修改并提交它们：此后 `shipgate plan new` 与 `shipgate rollback` 会使用这些模板";
    RollbackAlready { path, to, at } => en "`{path}` already records a rollback to {to} at {at}", zh "`{path}` 已记录过一次回滚：{at} 回滚到 {to}";
    RollbackNoTarget { version } => en "there is no release tag before {version} to roll back to; name one with `--to TAG`",
        zh "{version} 之前没有可回滚到的发布标签；请用 `--to TAG` 指定";
    RollbackBadTarget { to, version } => en "`{to}` is not a release tag older than {version}", zh "`{to}` 不是早于 {version} 的发布标签";
    RollbackRecorded { version, to, path } => en "rolled back {version} to {to}: recorded in `{path}`; no new release until its problem analysis is written and confirmed (R3, R4)",
        zh "{version} 已回滚到 {to}：已记录在 `{path}`；问题分析写完并经确认前不能再上线（R3、R4）";
    HintRollbackAnalysis { path, version } => en "write the problem analysis at the end of `{path}`, have the system owner or TL set `rollback.confirmed_by`, commit it, and see what it still needs with `shipgate plan check {version}`",
        zh "在 `{path}` 末尾写问题分析，由系统负责人或技术负责人把登录名填入 `rollback.confirmed_by` 确认后提交，然后用 `shipgate plan check {version}` 查看还缺什么";
    GateNoPlan { branch, dir, version } => en "no plan for the release being prepared on `{branch}`: `{dir}/{version}.md` is not in the pushed commit",
        zh "`{branch}` 上准备的上线没有发布计划：推送的提交中没有 `{dir}/{version}.md`";
    GateNoTagPlan { tag, path } => en "release tag `{tag}` has no plan: `{path}` is not in the tagged commit", zh "发布标签 `{tag}` 没有发布计划：标签指向的提交中没有 `{path}`";
    HintPlanNewFor { version } => en "write it with `shipgate plan new --kind feature --version {version}`, fill it in and commit it (F7)",
        zh "用 `shipgate plan new --kind feature --version {version}` 生成发布计划，填写并提交（F7）";
    GatePlanIncomplete { path, stage, count } => en "`{path}` is not ready for stage `{stage}`: {count} thing(s) to do",
        zh "`{path}` 尚未满足 `{stage}` 阶段：还有 {count} 项需要处理";
    GateRollbackAnalysis { version, path } => en "{version} was rolled back and its problem analysis is not written and confirmed: no release until it is (`{path}`)",
        zh "{version} 已回滚，但问题分析尚未写完并确认：在此之前不能上线（`{path}`）";
    GateEmergencyDebt { date, incident } => en "an emergency window used on {date} (incident {incident}) has no emergency plan that passes `done` yet",
        zh "{date} 使用过紧急窗口（故障 {incident}），但其紧急上线的发布计划尚未通过 `done` 阶段";
    HintEmergencyPlan { version } => en "write it (named after the emergency release), fill it in, commit it (E5): `shipgate plan new --kind emergency --version {version}`",
        zh "请补写（以紧急上线的版本号命名），填写并提交（E5）：`shipgate plan new --kind emergency --version {version}`";
    PlanInvalid { path, line; detail } => en "{path}:{line}: {detail}", zh "{path}:{line}: {detail}";
    HintPlanInvalid { path } => en "fix `{path}`, then run `shipgate plan check`; `shipgate plan new --diff` shows the template it came from",
        zh "请修改 `{path}`，然后运行 `shipgate plan check`；`shipgate plan new --diff` 可对照它来自的模板";
    PlanVersionInvalid { version } => en "version `{version}` is not a release version like v1.2.3", zh "版本 `{version}` 不是形如 v1.2.3 的上线版本";
    PlanVersionFile { version, file } => en "version `{version}` does not match the file name `{file}`", zh "版本 `{version}` 与文件名 `{file}` 不一致";
    PlanVersionTag { version, pattern } => en "version `{version}` does not match the release tag pattern `{pattern}`", zh "版本 `{version}` 不符合发布标签规则 `{pattern}`";
    PlanFieldEmpty { field } => en "`{field}` is not filled in", zh "`{field}` 尚未填写";
    PlanPeopleUnset => en "approvals cannot be checked: `.shipgate.toml` names no owners or no tech leads (add them under `[people]`)",
        zh "无法检查审批：`.shipgate.toml` 未配置系统负责人或技术负责人（请在 `[people]` 下填写 `owners` 和 `tech_leads`）";
    PlanApprovalsCount { count } => en "approvals: 2 people must approve; {count} listed", zh "`approvals`：需要 2 人审批；目前 {count} 人";
    PlanApprovalsNoOwner { people } => en "approvals: none of the system owners ({people}) approved", zh "`approvals`：缺少系统负责人（{people}）的审批";
    PlanApprovalsNoTechLead { people } => en "approvals: none of the tech leads ({people}) approved", zh "`approvals`：缺少技术负责人（{people}）的审批";
    PlanRollbackTo { value, version, suggestion } => en "rollback_to `{value}` is not a release older than {version} that production can go back to (a release tag or an emergency release, not rolled back); the previous release is `{suggestion}`",
        zh "`rollback_to` 的值 `{value}` 不是早于 {version}、线上可以回滚到的上线版本（须为发布标签或紧急上线的版本，且未被回滚）；上一次上线的版本是 `{suggestion}`";
    PlanBugfixChange => en "a bug-fix release declares a middleware or config change: that is an optimisation or feature release",
        zh "Bug 修复上线声明了中间件或配置变更：这应按技术优化上线或需求上线处理";
    PlanDuplicateItem { id, first } => en "item `{id}` appears twice (first on line {first})", zh "检查项 `{id}` 出现了两次（第一次在第 {first} 行）";
    PlanItemMissing { id, kind } => en "item `{id}` is missing; the {kind} template has it", zh "缺少检查项 `{id}`；`{kind}` 模板中有该检查项";
    PlanItemPlaceholder { id } => en "item `{id}` still holds template text to fill in", zh "检查项 `{id}` 仍有待填写的模板内容";
    PlanItemUnticked { id, text } => en "item `{id}` is not ticked: {text}", zh "检查项 `{id}` 尚未勾选：{text}";
    PlanObserved { minutes } => en "observed_minutes is {minutes}: watch the logs for at least 5 minutes after the canary", zh "`observed_minutes` 为 {minutes}：灰度后至少观察日志 5 分钟";
    PlanAnalysisUnconfirmed { people } => en "rollback.confirmed_by must name the system owner or tech lead ({people}) who confirmed the problem analysis",
        zh "`rollback.confirmed_by` 必须填写确认了问题分析的系统负责人或技术负责人（{people}）";
    PlanPasses { path, stage } => en "{path}: ready for stage `{stage}`", zh "{path}：已满足 `{stage}` 阶段的要求";
    PlanProblems { path, stage, count } => en "{path}: {count} thing(s) to do before stage `{stage}`", zh "{path}：进入 `{stage}` 阶段前还有 {count} 项需要处理";
    HintPlanFill { version, stage } => en "fill in and tick those items ([x]), commit, then run `shipgate plan check {version} --stage {stage}` again",
        zh "填写并勾选（[x]）这些检查项，提交后再运行 `shipgate plan check {version} --stage {stage}`";

    // ----- hooks -----
    HookUnknown { name } => en "`{name}` is not a hook shipgate handles", zh "shipgate 不处理 `{name}` 钩子";
    HintHookUnknown => en "run `shipgate install` to rewrite the hooks", zh "运行 `shipgate install` 重写钩子";
    PushLineFields { line, text } => en "pre-push input line {line} `{text}`: expected `<local ref> <local id> <remote ref> <remote id>`",
        zh "pre-push 输入第 {line} 行 `{text}`：应为 `<本地引用> <本地对象 id> <远程引用> <远程对象 id>`";
    PushLineObjectId { line, text, value } => en "pre-push input line {line} `{text}`: `{value}` is not an object id",
        zh "pre-push 输入第 {line} 行 `{text}`：`{value}` 不是对象 id";
    ShimSkip { hook } => en "SHIPGATE_SKIP=1: shipgate checks are SKIPPED for this {hook}; only a server with shipgate installed (`shipgate doctor --server`) or a CI job that runs them still enforces them",
        zh "SHIPGATE_SKIP=1：本次 {hook} 跳过了 shipgate 检查；只有安装了 shipgate 的服务器（`shipgate doctor --server`）或运行这些检查的 CI 仍会执行它们";
    ShimBinaryMissing { hook, binary } => en "shipgate is not installed ({binary} missing, none on PATH), so {hook} refuses; install it with ./install.sh or skip once with SHIPGATE_SKIP=1",
        zh "未安装 shipgate（{binary} 不存在，PATH 中也没有），因此 {hook} 拒绝执行；请用 `./install.sh` 安装，或用 `SHIPGATE_SKIP=1` 跳过一次";

    // ----- rollback and emergency debts (R3, R4, E5) -----
    GateRollbackPlanGone { version, path, commit, expected } => en "{version} was rolled back (recorded in `{path}` at {commit}) and its problem analysis is owed, but the pushed commit has no plan with `version: {version}` at `{expected}`: a rollback is paid for by its confirmed analysis, never by deleting, moving or renaming the plan",
        zh "{version} 已回滚（记录在 {commit} 的 `{path}` 中），欠问题分析，但推送的提交中 `{expected}` 没有 `version: {version}` 的发布计划：回滚只能用经确认的问题分析来了结，删除、移动或改名发布计划都不算";
    GateRollbackRecordGone { version, path, commit, expected } => en "{version} was rolled back (recorded in `{path}` at {commit}) and its problem analysis is owed, but `{expected}` in the pushed commit no longer records the rollback (`status: rolled-back` and the `rollback:` block)",
        zh "{version} 已回滚（记录在 {commit} 的 `{path}` 中），欠问题分析，但推送的提交中 `{expected}` 已不再记录这次回滚（`status: rolled-back` 与 `rollback:` 块）";
    HintRollbackRestore { commit, path } => en "bring the plan back as it was recorded: `git checkout {commit} -- {path}`, and commit it",
        zh "按记录时的样子恢复发布计划：`git checkout {commit} -- {path}`，然后提交";
    HintRollbackRename { from, to } => en "a plan lives under its version's name: `git mv {from} {to}`",
        zh "发布计划须以版本号命名：`git mv {from} {to}`";
    HintEmergencyPlanWhere { dir, date, version } => en "the emergency plan counts when it is `{dir}/{version}.md` (not in a subdirectory, named after its `version:`), has `kind: emergency`, a `date:` of {date} or later, and passes `shipgate plan check {version}`",
        zh "紧急上线的发布计划须为 `{dir}/{version}.md`（不在子目录中，以其 `version:` 命名），且 `kind: emergency`、`date:` 不早于 {date}，并通过 `shipgate plan check {version}`";
    // ----- hostile plan documents -----
    PlanYamlDocumentMarker { path, line, marker } => en "{path}:{line}: a `{marker}` line inside the front matter would end the YAML there and hide what follows from the checks; the front matter is everything up to the first `---` line, so remove this one",
        zh "{path}:{line}: 文件头中的 `{marker}` 行会让 YAML 在此结束，其后的内容将躲过检查；文件头到第一个 `---` 行为止，请删除这一行";
    PlanYamlDuplicateKey { path, line, key } => en "{path}:{line}: front matter: `{key}` is written twice; a field is written once, or one value would silently hide the other",
        zh "{path}:{line}: 文件头中的 `{key}` 写了两次；每个字段只能写一次，否则一个值会悄悄遮住另一个";
    PlanYamlMergeKey { path, line } => en "{path}:{line}: front matter: merge keys (`<<:`) are not allowed in a plan; write each field out",
        zh "{path}:{line}: 文件头：发布计划中不允许使用合并键（`<<:`）；请逐个写出字段";
    PlanYamlAlias { path, line } => en "{path}:{line}: front matter: anchors and aliases (`&name`, `*name`) are not allowed in a plan; write each value out where it is read",
        zh "{path}:{line}: 文件头：发布计划中不允许使用锚点和别名（`&name`、`*name`）；请在用到的地方写出每个值";
    PlanYamlTooDeep { path, line, limit } => en "{path}:{line}: front matter nests more than {limit} levels deep",
        zh "{path}:{line}: 文件头的嵌套超过了 {limit} 层";
    PlanYamlTooBig { path, line } => en "{path}:{line}: front matter is too large (too many values or too much text for a plan's record)",
        zh "{path}:{line}: 文件头过大（对发布计划的记录而言值或文本太多）";
    PlanNestedTooDeep { path, line, limit } => en "{path}:{line}: lists or block quotes nest more than {limit} levels deep",
        zh "{path}:{line}: 列表或引用块的嵌套超过了 {limit} 层";
    TreeTooDeep { path, limit } => en "the tree at `{path}` nests more than {limit} directories deep; no checkout can hold it, so shipgate refuses to judge it",
        zh "`{path}` 处的目录树嵌套超过 {limit} 层，任何检出都无法容纳它，shipgate 拒绝判断";
    RollbackNotRecorded { path } => en "`{path}`: the rollback record written into the front matter does not read back as written; nothing was changed",
        zh "`{path}`：写入文件头的回滚记录读回后与写入的不一致；文件未被修改";

    // ----- CI front door (`shipgate ci`) and the pre-commit adapter -----
    CiUnknown => en "no CI that shipgate knows is running here: GitHub Actions sets `GITHUB_ACTIONS=true`, GitLab CI sets `GITLAB_CI=true`",
        zh "这里没有运行 shipgate 认识的 CI：GitHub Actions 会设置 `GITHUB_ACTIONS=true`，GitLab CI 会设置 `GITLAB_CI=true`";
    HintCiGitHub => en "GitHub Actions also sets `GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH` (the event's JSON: `before`/`after` of a push, `pull_request.base.sha`/`head.sha`), `GITHUB_REF`, `GITHUB_SHA`, and `GITHUB_BASE_REF`/`GITHUB_HEAD_REF` for pull requests",
        zh "GitHub Actions 还会设置 `GITHUB_EVENT_NAME`、`GITHUB_EVENT_PATH`（事件 JSON：推送事件的 `before`/`after`，`pull_request.base.sha`/`head.sha`）、`GITHUB_REF`、`GITHUB_SHA`，以及 PR 事件的 `GITHUB_BASE_REF`/`GITHUB_HEAD_REF`";
    HintCiGitLab => en "GitLab CI also sets `CI_PIPELINE_SOURCE`, `CI_COMMIT_SHA`, `CI_COMMIT_BEFORE_SHA`, `CI_COMMIT_REF_NAME`, `CI_COMMIT_TAG`, and `CI_MERGE_REQUEST_TARGET_BRANCH_NAME`/`CI_MERGE_REQUEST_DIFF_BASE_SHA` for merge requests",
        zh "GitLab CI 还会设置 `CI_PIPELINE_SOURCE`、`CI_COMMIT_SHA`、`CI_COMMIT_BEFORE_SHA`、`CI_COMMIT_REF_NAME`、`CI_COMMIT_TAG`，以及合并请求的 `CI_MERGE_REQUEST_TARGET_BRANCH_NAME`/`CI_MERGE_REQUEST_DIFF_BASE_SHA`";
    HintCiElsewhere => en "anywhere else, judge one ref update with `shipgate check-push --ref REF --old OLD --new NEW`",
        zh "在其他环境中，可用 `shipgate check-push --ref REF --old OLD --new NEW` 检查一次引用更新";
    CiVarMissing { name, service, event } => en "`{name}` is not set, but {service} sets it for a {event} event",
        zh "`{name}` 未设置，而 {service} 在 {event} 事件中会设置它";
    CiEventUnreadable { path, detail } => en "cannot read the event file `{path}`: {detail}", zh "无法读取事件文件 `{path}`：“{detail}”";
    CiEventField { path, field } => en "the event file `{path}` has no `{field}`", zh "事件文件 `{path}` 中没有 `{field}`";
    CiNothingToJudge { event } => en "a `{event}` event updates no ref: nothing to judge", zh "`{event}` 事件不更新任何引用：无需检查";
    CiJudging { what, refname, old, new } => en "shipgate: judging {what}: `{refname}` {old} -> {new}", zh "shipgate：正在检查{what}：`{refname}` {old} -> {new}";
    CiWhatReview { source } => en "the merge of `{source}`", zh "`{source}` 的合并";
    CiWhatPush => en "the push", zh "推送";
    CiPasses { refname } => en "shipgate: `{refname}`: nothing refused", zh "shipgate：`{refname}`：没有被拒绝的内容";
    CiRefused { refname, count } => en "shipgate: `{refname}`: refused ({count} finding(s))", zh "shipgate：`{refname}`：已拒绝（{count} 个问题）";
    CiReportWritten { path } => en "shipgate: code-quality report written to `{path}`", zh "shipgate：代码质量报告已写入 `{path}`";
    CiHistoryIncomplete { ; why } => en "this clone's history is incomplete ({why}): shipgate cannot see what the event brings",
        zh "本克隆的历史不完整（{why}）：shipgate 看不到该事件带来的提交";
    HintCiFetchDepth => en "check out the whole history: `actions/checkout` with `fetch-depth: 0` on GitHub, `GIT_DEPTH: 0` on GitLab",
        zh "请检出完整历史：GitHub 上 `actions/checkout` 设置 `fetch-depth: 0`，GitLab 上设置 `GIT_DEPTH: 0`";
    CiCommitMissing { what, id } => en "the {what} commit {id} is not in this clone", zh "本克隆中没有 {what} 提交 {id}";
    HintCiFetchAll => en "fetch every branch and tag before `shipgate ci`: `git fetch origin '+refs/heads/*:refs/remotes/origin/*' '+refs/tags/*:refs/tags/*'`",
        zh "在 `shipgate ci` 之前获取所有分支与标签：`git fetch origin '+refs/heads/*:refs/remotes/origin/*' '+refs/tags/*:refs/tags/*'`";
    CiMergeConflict { source, target } => en "`{source}` does not merge cleanly into `{target}`: there is no merge to judge yet",
        zh "`{source}` 无法干净地合并进 `{target}`：还没有可供检查的合并";
    HintCiMergeConflict { target } => en "merge `{target}` into the branch and resolve the conflicts, then push it again",
        zh "请把 `{target}` 合并进该分支并解决冲突，然后重新推送";
    PreCommitVarMissing { name } => en "`{name}` is not set: `--from-pre-commit` reads the push from the variables pre-commit sets for its pre-push stage",
        zh "`{name}` 未设置：`--from-pre-commit` 从 pre-commit 在 pre-push 阶段设置的变量中读取推送内容";
    HintPreCommitStage => en "run it as a pre-commit hook with `stages: [pre-push]` (see shipgate's `.pre-commit-hooks.yaml`), or let git run shipgate's own pre-push hook",
        zh "请把它作为 `stages: [pre-push]` 的 pre-commit 钩子运行（见 shipgate 的 `.pre-commit-hooks.yaml`），或让 git 运行 shipgate 自己的 pre-push 钩子";

    // ----- server side: pre-receive, pusher roles, install --server -----
    ReceiveTooLarge { limit } => en "pre-receive input is larger than {limit} bytes; shipgate refuses to judge a push this large",
        zh "pre-receive 输入超过 {limit} 字节；shipgate 拒绝判断如此大的推送";
    ReceiveTooMany { limit } => en "the push updates more than {limit} refs at once; shipgate refuses to judge it",
        zh "本次推送同时更新超过 {limit} 个引用；shipgate 拒绝判断";
    HintReceiveSplit => en "push fewer refs at a time, the branches first and then the tags: `git push origin 'refs/heads/*'`, then `git push origin 'refs/tags/*'`",
        zh "请分批推送这些引用，先推分支再推标签：`git push origin 'refs/heads/*'`，然后 `git push origin 'refs/tags/*'`";
    ReceiveLineFields { line, text } => en "pre-receive input line {line} `{text}`: expected `<old id> <new id> <ref>`",
        zh "pre-receive 输入第 {line} 行 `{text}`：应为 `<旧对象 id> <新对象 id> <引用>`";
    ReceiveLineObjectId { line, text, value } => en "pre-receive input line {line} `{text}`: `{value}` is not an object id",
        zh "pre-receive 输入第 {line} 行 `{text}`：`{value}` 不是对象 id";
    ReceiveRefused { count } => en "shipgate refused this push ({count} problem(s) above); a push is all or nothing, so no ref was updated",
        zh "shipgate 拒绝了本次推送（上面有 {count} 个问题）；推送要么全部生效要么全部不生效，因此没有任何引用被更新";
    RecordRefPushed { refname } => en "`{refname}` is kept by the server itself; a push may not create, move or delete it",
        zh "`{refname}` 由服务器自己维护；推送不能创建、移动或删除它";
    HintRecordRef => en "push branches and tags only; shipgate's records under `refs/shipgate/` are written on the server",
        zh "只推送分支和标签；`refs/shipgate/` 下的 shipgate 记录由服务器写入";
    QaOnlyTag { pusher, tag, people } => en "only QA ({people}) may create the release tag `{tag}`, and `{pusher}` is not QA",
        zh "只有 QA（{people}）可以创建发布标签 `{tag}`，而 `{pusher}` 不是 QA";
    QaOnlyProduction { pusher, branch, people } => en "only QA ({people}) may move `{branch}`, and `{pusher}` is not QA",
        zh "只有 QA（{people}）可以移动 `{branch}`，而 `{pusher}` 不是 QA";
    PusherUnknown { target, people } => en "only QA ({people}) may change `{target}`, and this server cannot tell who is pushing",
        zh "只有 QA（{people}）可以修改 `{target}`，而服务器无法确定推送者是谁";
    HintAskQa { people } => en "ask QA ({people}) to push it once the release is verified",
        zh "请在上线验证后由 QA（{people}）推送";
    HintPusherIdentity => en "the server's administrator must name the pusher to the hook: `SHIPGATE_PUSHER`, or the host's own `GL_USERNAME` (GitLab), `GITEA_PUSHER_NAME` (Gitea, Forgejo), `GL_USER` (gitolite), `REMOTE_USER` (HTTP)",
        zh "服务器管理员须把推送者告诉钩子：设置 `SHIPGATE_PUSHER`，或使用托管平台自带的 `GL_USERNAME`（GitLab）、`GITEA_PUSHER_NAME`（Gitea、Forgejo）、`GL_USER`（gitolite）、`REMOTE_USER`（HTTP）";
    ServerNotBare { path } => en "`{path}` is not a bare repository; `--server` installs into the repository a server receives pushes in",
        zh "`{path}` 不是裸仓库；`--server` 只安装到服务器接收推送的仓库中";
    HintServerNotBare => en "name the server's bare repository with `--repo PATH.git`, or install the client hooks with `shipgate install`",
        zh "请用 `--repo PATH.git` 指定服务器上的裸仓库，或用 `shipgate install` 安装客户端钩子";
    ServerForeignHook { path } => en "`{path}` exists and is not shipgate's; refusing to overwrite it",
        zh "`{path}` 已存在且不是 shipgate 的文件；拒绝覆盖";
    HintServerForeignHook { path } => en "move `{path}` aside (the host runs every hook in that folder), then run `shipgate install --server` again",
        zh "请把 `{path}` 移走（托管平台会运行该目录下的每个钩子），然后重新运行 `shipgate install --server`";
    GitoliteHomeMissing { repo } => en "`{repo}` is not under a gitolite home (no `.gitolite.rc` above it)",
        zh "`{repo}` 不在 gitolite 主目录下（其上层没有 `.gitolite.rc`）";
    HintGitoliteHome => en "run as the gitolite user on a repository under `~/repositories`, or use `--layout plain`",
        zh "请以 gitolite 用户身份对 `~/repositories` 下的仓库运行，或使用 `--layout plain`";
    ServerInstallHeader { repo, hook } => en "shipgate server hook: {repo} (pre-receive at {hook})",
        zh "shipgate 服务器端钩子：{repo}（pre-receive 位于 {hook}）";
    ServerInstalled { options } => en "pre-receive installed; receive.advertisePushOptions = {options}; this repository now advertises `refs/shipgate/enforced`",
        zh "pre-receive 已安装；`receive.advertisePushOptions = {options}`；本仓库现在公布 `refs/shipgate/enforced`";
    ServerRemoved => en "pre-receive removed (any hook it replaced is back) and `refs/shipgate/enforced` deleted; receive.advertisePushOptions left as it is",
        zh "pre-receive 已移除（被替换的钩子已恢复），`refs/shipgate/enforced` 已删除；`receive.advertisePushOptions` 保持不变";
    GitoliteEnable { script } => en "gitolite runs the hook only when enabled: in ~/.gitolite.rc set `LOCAL_CODE => \"$rc{{GL_ADMIN_BASE}}/local\"` and add `'repo-specific-hooks'` to ENABLE; in gitolite.conf give the repositories `option hook.pre-receive = shipgate`; then run `gitolite setup --hooks-only` (hook script: {script})",
        zh "gitolite 仅在启用后运行该钩子：在 `~/.gitolite.rc` 中设置 `LOCAL_CODE => \"$rc{{GL_ADMIN_BASE}}/local\"` 并把 `'repo-specific-hooks'` 加入 `ENABLE`；在 `gitolite.conf` 中为仓库设置 `option hook.pre-receive = shipgate`；然后运行 `gitolite setup --hooks-only`（钩子脚本：{script}）";
    DoctorPushOptionsOff => en "receive.advertisePushOptions is not true: pushes cannot carry shipgate's push options",
        zh "`receive.advertisePushOptions` 不是 `true`：推送无法携带 shipgate 的推送选项";
    DoctorMarkerMissing => en "`refs/shipgate/enforced` is missing: clients cannot see that this server enforces the rules",
        zh "缺少 `refs/shipgate/enforced`：客户端无法得知本服务器执行这些规则";
    DoctorServerPolicy { source } => en "policy from {source}", zh "策略来自 {source}";
    PolicyDefaults => en "the built-in defaults", zh "内置默认配置";
    HintInstallServer { repo } => en "run `shipgate install --server --repo {repo}`",
        zh "请运行 `shipgate install --server --repo {repo}`";
    HintEmergencyServer => en "production is down? emergency windows open on clients only: this server does not take direct commits to a release branch yet, so its administrator must push the fix",
        zh "线上故障？紧急窗口只在客户端生效：本服务器暂不接受直接提交到发布分支，须由服务器管理员推送修复";
    StateSkippedNotBare => en "skipped: not a bare repository (server hooks run where pushes are received)",
        zh "跳过：不是裸仓库（服务器端钩子只在接收推送的仓库中运行）";
    DoctorGitoliteOff => en "gitolite does not run it for this repository (no `hooks/pre-receive.h*` link to it)",
        zh "gitolite 不会为本仓库运行它（没有指向它的 `hooks/pre-receive.h*` 链接）";
    HookServerLayout { layout } => en "pre-receive ({layout})", zh "pre-receive（{layout}）";
    // ----- team records under refs/shipgate/ (E1, E5, R1-R4 on the server) -----
    AuditEntryInvalid { refname, entry, detail } => en "entry {entry} of the audit log `{refname}` is damaged: {detail}",
        zh "审计日志 `{refname}` 的第 {entry} 条已损坏：“{detail}”";
    PushOptionUnknown { option } => en "unknown shipgate push option `{option}`: shipgate takes `shipgate.emergency=REASON` and `shipgate.incident=ID`",
        zh "未知的 shipgate 推送选项 `{option}`：shipgate 只接受 `shipgate.emergency=原因` 和 `shipgate.incident=编号`";
    PushOptionIncidentAlone => en "`shipgate.incident` names the incident of an emergency push, and this push has no `shipgate.emergency=REASON`",
        zh "`shipgate.incident` 用于标明紧急推送的故障编号，但本次推送没有 `shipgate.emergency=原因`";
    PushOptionNoReason => en "an emergency push needs its reason: `-o shipgate.emergency=\"<what is broken in production>\"`",
        zh "紧急推送必须写明原因：`-o shipgate.emergency=\"线上出了什么问题\"`";
    HintPushOptions { branch, reason } => en "an emergency push names its reason (and, optionally, the incident with `-o shipgate.incident=ID`): `git push -o shipgate.emergency={reason} origin {branch}`",
        zh "紧急推送须写明原因（可另用 `-o shipgate.incident=编号` 标明故障）：`git push -o shipgate.emergency={reason} origin {branch}`";
    EmergencyNotAllowed { pusher, people } => en "`{pusher}` may not push under an emergency: only the system owners and tech leads ({people}) may (E1)",
        zh "`{pusher}` 无权进行紧急推送：只有系统负责人和技术负责人（{people}）可以（E1）";
    HintEmergencyAsk { people } => en "ask a system owner or tech lead ({people}) to push the fix with `-o shipgate.emergency`",
        zh "请系统负责人或技术负责人（{people}）用 `-o shipgate.emergency` 推送修复";
    EmergencyPusherUnknown { people } => en "an emergency push is for the system owners and tech leads ({people}), and this server cannot tell who is pushing",
        zh "紧急推送仅限系统负责人和技术负责人（{people}），但本服务器无法确定推送者是谁";
    EmergencyPushRecorded { who, reason, incident } => en "emergency push by {who} recorded in the server's audit log (`refs/shipgate/audit`): {reason} (incident {incident}); no normal release until the emergency plan is on release (E5)",
        zh "{who} 的紧急推送已记入服务器审计日志（`refs/shipgate/audit`）：{reason}（故障 {incident}）；紧急上线的发布计划合入发布分支之前不能正常上线（E5）";
    HintEmergencyPushOption { people, branch, reason } => en "production is down? a system owner or tech lead ({people}) may push the fix straight to `{branch}`, audited and owing an emergency plan (E5; add `-o shipgate.incident=ID` to name the incident): `git push -o shipgate.emergency={reason} origin {branch}`",
        zh "线上故障？系统负责人或技术负责人（{people}）可把修复直接推送到 `{branch}`，该推送会记入审计日志，并须补写紧急上线的发布计划（E5；可加 `-o shipgate.incident=编号` 标明故障）：`git push -o shipgate.emergency={reason} origin {branch}`";
    RollbackRecordMoved { refname } => en "`{refname}` is a rollback record: it is created once and never moved or deleted",
        zh "`{refname}` 是回滚记录：只能创建一次，不能移动或删除";
    RollbackRecordUnreadable { refname } => en "`{refname}` does not point at a rollback record as `shipgate rollback` writes it (JSON naming the same version)",
        zh "`{refname}` 指向的不是 `shipgate rollback` 写出的回滚记录（注明同一版本的 JSON）";
    RollbackRecordNoRelease { refname, version } => en "`{refname}` records a rollback of {version}, and this repository has no release tag `{version}`",
        zh "`{refname}` 记录了 {version} 的回滚，但本仓库没有发布标签 `{version}`";
    HintRollbackRecord => en "rollback records are written and published by `shipgate rollback`; see how: `shipgate rollback --help`",
        zh "回滚记录由 `shipgate rollback` 写入并发布；用法见 `shipgate rollback --help`";
    RollbackRecordAccepted { version, refname } => en "rollback of {version} recorded on the server (`{refname}`): no release from any clone until its problem analysis is confirmed (R3, R4)",
        zh "{version} 的回滚已记录在服务器上（`{refname}`）：问题分析确认之前，任何克隆都不能上线（R3、R4）";
    RecordPublished { refname, remote } => en "rollback record published to `{remote}` as `{refname}`: every clone's next release waits for the confirmed analysis",
        zh "回滚记录已发布到 `{remote}`（`{refname}`）：任何克隆的下一次上线都要等问题分析确认";
    RecordNotPublished { refname, remote; detail } => en "the rollback is recorded in the plan, but publishing `{refname}` to `{remote}` failed: {detail}",
        zh "回滚已记录在发布计划中，但向 `{remote}` 发布 `{refname}` 失败：{detail}";
    HintRecordPublish { remote, id, refname } => en "publish it once the remote is reachable: `git push --no-verify {remote} {id}:{refname}`",
        zh "远程可访问后请发布：`git push --no-verify {remote} {id}:{refname}`";
    RecordNoRemote { remote } => en "no remote `{remote}`: the rollback is recorded in the plan only; publish its record when there is one",
        zh "没有远程 `{remote}`：回滚只记录在发布计划中；有远程后请发布回滚记录";
    GateRollbackRefPlanGone { version, refname, expected } => en "{version} was rolled back (the server holds `{refname}`) and its problem analysis is owed, but the pushed commit has no plan with `version: {version}` at `{expected}`: deleting, moving or renaming the plan pays nothing",
        zh "{version} 已回滚（服务器保存着 `{refname}`），欠问题分析，但推送的提交中 `{expected}` 没有 `version: {version}` 的发布计划：删除、移动或改名发布计划都不算了结";
    GateRollbackRefRecordGone { version, refname, expected } => en "{version} was rolled back (the server holds `{refname}`) and its problem analysis is owed, but `{expected}` in the pushed commit does not record the rollback (`status: rolled-back` and the `rollback:` block)",
        zh "{version} 已回滚（服务器保存着 `{refname}`），欠问题分析，但推送的提交中 `{expected}` 没有记录这次回滚（`status: rolled-back` 与 `rollback:` 块）";
    HintRollbackRefRestore { version, expected, refname } => en "the plan of {version} belongs at `{expected}` with its `rollback:` block (see the record: `git fetch origin '+refs/shipgate/*:refs/shipgate/*' && git cat-file -p {refname}`)",
        zh "{version} 的发布计划应位于 `{expected}` 并带有 `rollback:` 块（查看记录：`git fetch origin '+refs/shipgate/*:refs/shipgate/*' && git cat-file -p {refname}`）";
    AuditEmpty => en "the audit log is empty: `refs/shipgate/audit` does not exist here",
        zh "审计日志为空：这里没有 `refs/shipgate/audit`";
    HintAuditFetch => en "in a clone, fetch the server's records first: `git fetch origin '+refs/shipgate/*:refs/shipgate/*'`",
        zh "在克隆中请先获取服务器的记录：`git fetch origin '+refs/shipgate/*:refs/shipgate/*'`";
    ColumnIncident => en "incident", zh "故障编号";
    RecordsRefspecAdded { remote } => en "`{remote}` now fetches shipgate's records (`+refs/shipgate/*:refs/shipgate/*`)",
        zh "`{remote}` 现在会获取 shipgate 的记录（`+refs/shipgate/*:refs/shipgate/*`）";
    // check-master on real histories: the kind of a difference.
    ReasonEdited => en "lines were edited in the result (old → new), not dropped", zh "结果中这些行被改写了（旧 → 新），并未丢弃";
    ReasonChangelog => en "a changelog or version file differs", zh "变更日志或版本文件有差异";
    CmProgress { n, m } => en "check-master: merge {n} of {m}", zh "check-master：第 {n} 个合并，共 {m} 个";
    CmInfoHidden { count } => en "{count} INFO finding(s) not shown (`--verbose` lists them)", zh "另有 {count} 个 INFO 发现项未列出（`--verbose` 可列出）";
    ReasonDevBranches => en "a merge between development branches dropped lines that were not on the release line", zh "开发分支之间的合并丢弃了不在发布分支上的行";
    CmMoreLines { count } => en "… and {count} more line(s) (`--verbose` shows them)", zh "……另有 {count} 行（`--verbose` 可显示）";
    // ----- demo -----
    DemoHeader { dir } => en "shipgate demo: one release of the service order-api, from the keyboard, with the real hooks (in `{dir}`). The team:",
        zh "shipgate 演示：服务 order-api 的一次上线，全程在键盘上完成，钩子真实触发（目录 `{dir}`）。团队：";
    DemoPerson { name, login, role } => en "  {name} ({login}): {role}", zh "  {name}（{login}）：{role}";
    DemoWayPast => en "  → the way past it:", zh "  → 正确的做法：";
    DemoRefused { code } => en "✗ refused (exit {code}), as the process requires", zh "✗ 被拒绝（退出码 {code}），流程要求如此";
    DemoEdited => en "(changed lines)", zh "（改动的行）";
    DemoDone { steps, refusals, seconds } => en "✓ all {steps} steps went as the process requires: {refusals} refusals, each with the way past it, and every other command accepted ({seconds} s)",
        zh "✓ 全部 {steps} 步都符合流程：{refusals} 次拒绝，每次都给出了正确做法，其余命令全部通过（{seconds} 秒）";
    DemoRemoved => en "the throw-away repositories were removed; `shipgate demo --keep DIR` keeps them to look at",
        zh "演示用的临时仓库已删除；`shipgate demo --keep DIR` 可保留它们以便查看";
    DemoKept { dir, command } => en "the repositories stay in `{dir}`: `{command}`",
        zh "仓库保留在 `{dir}`：`{command}`";
    DemoNotRefused { step, command, expected } => en "demo step {step}: `{command}` was accepted, but the process refuses it ({expected})",
        zh "演示第 {step} 步：`{command}` 被接受了，但流程应拒绝它（{expected}）";
    DemoNotAccepted { step, command, code } => en "demo step {step}: `{command}` failed (exit {code}), but the process accepts it",
        zh "演示第 {step} 步：`{command}` 失败（退出码 {code}），但流程应接受它";
    DemoBadExit { step, command, code } => en "demo step {step}: `{command}` exited {code}, not 1 as a refusal does",
        zh "演示第 {step} 步：`{command}` 退出码为 {code}，而拒绝的退出码应为 1";
    DemoNotShown { step, command, missing } => en "demo step {step}: the output of `{command}` does not show {missing}",
        zh "演示第 {step} 步：`{command}` 的输出中没有 {missing}";
    HintDemoLook { dir } => en "the repositories are left as they were, to look at: `cd {dir}`",
        zh "仓库保持原样，可以查看：`cd {dir}`";
    DemoEditMissing { step, path; what } => en "demo step {step}: `{path}` has no {what} to edit (the script no longer fits the templates)",
        zh "演示第 {step} 步：`{path}` 中找不到要编辑的 {what}（演示脚本与模板不再一致）";
    DemoBadScript { ; detail } => en "the built-in demo script is invalid: {detail}", zh "内置的演示脚本无效：{detail}";
    DemoSeedFailed { ; detail } => en "cannot build the demo's server repository: {detail}", zh "无法创建演示用的服务器仓库：{detail}";
    DemoKeepNotEmpty { path } => en "`{path}` exists and is not an empty directory; the demo never writes over files",
        zh "`{path}` 已存在且不是空目录；演示绝不覆盖已有文件";
    HintDemoKeep { command } => en "keep the demo in a new directory: `{command}`", zh "请把演示放在新目录中：`{command}`";
    // ----- status, plan list, rules and explain, man pages, completions (issue 13) -----
    StatusHeader { repo, branch } => en "shipgate status: {repo} (on {branch})", zh "shipgate 状态：{repo}（当前分支 {branch}）";
    StatusDetached => en "a detached HEAD", zh "分离头指针";
    StatusLabelHooks => en "hooks", zh "钩子";
    StatusLabelPolicy => en "policy", zh "策略";
    StatusLabelPreparing => en "preparing", zh "准备中";
    StatusLabelGates => en "gates", zh "闸门";
    StatusLabelLast => en "last release", zh "上次上线";
    StatusLabelServer => en "server", zh "服务器端";
    StatusHooksInstalled { hooks, binary } => en "{hooks}: installed, run {binary}", zh "{hooks}：已安装，运行 {binary}";
    StatusHooksBinaryMissing { hooks, binary } => en "{hooks}: installed, but the binary they run, {binary}, is gone (then `shipgate` on PATH runs, if there is one)",
        zh "{hooks}：已安装，但它们运行的程序 {binary} 不存在（此时若 PATH 上有 `shipgate` 则运行它）";
    StatusHooksMissing { hooks } => en "{hooks}: not installed", zh "{hooks}：未安装";
    StatusHooksForeign { hooks } => en "{hooks}: another tool's hook, not shipgate's (a hook manager may call shipgate from it)",
        zh "{hooks}：其他工具的钩子，不是 shipgate 的（钩子管理器可能在其中调用 shipgate）";
    StatusHooksStale { hooks, version, current } => en "{hooks}: written by another shipgate (shim version {version}; this one writes {current})",
        zh "{hooks}：由另一版本的 shipgate 写入（钩子脚本版本 {version}；本版本写入 {current}）";
    StatusHooksNotExecutable { hooks } => en "{hooks}: not executable, so git ignores them", zh "{hooks}：没有执行权限，git 会忽略它们";
    HintStatusDoctor => en "see what is wrong and how to fix it: `shipgate doctor`", zh "查看问题及修复方法：`shipgate doctor`";
    StatusPolicyRemote { remote, source } => en "committed on {remote}'s production branch: `{source}` (every push is judged by it)",
        zh "{remote} 生产分支上提交的配置：`{source}`（所有推送都按它判断）";
    StatusPolicyRemoteDefaults { remote } => en "the built-in defaults: {remote} has no `.shipgate.toml` committed on its production branch",
        zh "内置默认配置：{remote} 的生产分支上没有提交 `.shipgate.toml`";
    StatusPolicyRemoteUnfetched { remote, branch, id } => en "{remote}'s `{branch}` is at {id}, which this clone has not fetched: this clone's own guess stands in until it does",
        zh "{remote} 的 `{branch}` 位于 {id}，本克隆尚未获取：获取之前以本克隆自己的推断为准";
    StatusPolicyCommitted { refname } => en "committed at `{refname}` (this clone's copy)", zh "提交在 `{refname}` 上（本克隆的副本）";
    StatusPolicyWorkingTree => en "the working tree's `.shipgate.toml` (nothing is committed on the production branch yet)",
        zh "工作区的 `.shipgate.toml`（生产分支上还没有提交配置）";
    StatusPolicyDefaults => en "the built-in defaults (there is no `.shipgate.toml`)", zh "内置默认配置（没有 `.shipgate.toml`）";
    StatusAskedOffline { remote } => en "{remote} was not asked (`--offline`)", zh "未询问 {remote}（`--offline`）";
    StatusAskedFailed { remote, detail } => en "{remote} could not be asked: {detail}", zh "无法询问 {remote}：{detail}";
    StatusNoRemote { remote } => en "there is no remote `{remote}`", zh "没有远程 `{remote}`";
    StatusWorkingDiffers => en "the working tree's `.shipgate.toml` differs from it: the change takes effect when a release brings it to the production branch",
        zh "工作区的 `.shipgate.toml` 与之不同：改动要等一次上线把它带到生产分支后才生效";
    StatusWorkingInvalid { detail } => en "the working tree's `.shipgate.toml` is invalid: {detail}", zh "工作区的 `.shipgate.toml` 无效：{detail}";
    StatusPreparingNone { dir } => en "no release in preparation: every plan in `{dir}` is released or rolled back",
        zh "没有准备中的上线：`{dir}` 中的发布计划都已上线或已回滚";
    StatusPreparing { version, kind, kind_zh, file } => en "{version} ({kind}), `{file}`", zh "{version}（{kind_zh}），`{file}`";
    StatusStageReached { stage } => en "passes stage `{stage}`", zh "已通过 `{stage}` 阶段";
    StatusStageNone => en "passes no stage yet", zh "尚未通过任何阶段";
    StatusStageNext { stage, count } => en "stage `{stage}` still needs {count}:", zh "`{stage}` 阶段还缺 {count} 项：";
    StatusStageComplete => en "complete: it passes every stage", zh "已完成：通过了所有阶段";
    StatusMore { count } => en "… and {count} more", zh "……另有 {count} 项";
    HintPlanCheckStage { version, stage } => en "what stage `{stage}` needs, line by line: `shipgate plan check {version} --stage {stage}`",
        zh "逐行查看 `{stage}` 阶段还缺什么：`shipgate plan check {version} --stage {stage}`";
    StatusGatesOpen => en "open: no rollback analysis and no emergency plan owed", zh "畅通：没有欠问题分析，也没有欠紧急上线的发布计划";
    StatusGateRollbackPlanMissing { version, expected } => en "[R3] {version} was rolled back and its problem analysis is owed, but there is no plan at `{expected}`",
        zh "[R3] {version} 已回滚，欠问题分析，但 `{expected}` 处没有发布计划";
    StatusGateRollbackRecordGone { version, path } => en "[R3] {version} was rolled back, but `{path}` no longer records the rollback (`status: rolled-back` and the `rollback:` block)",
        zh "[R3] {version} 已回滚，但 `{path}` 不再记录这次回滚（`status: rolled-back` 与 `rollback:` 块）";
    StatusGateAnalysis { rule, version, path, count } => en "[{rule}] {version} was rolled back: its problem analysis in `{path}` still needs {count}; nothing is released until it is written and confirmed",
        zh "[{rule}] {version} 已回滚：`{path}` 中的问题分析还缺 {count} 项；写完并确认之前不能上线";
    StatusGateEmergency { date, incident } => en "[E5] an emergency window was used on {date} (incident {incident}): no normal release until its emergency plan passes `done`",
        zh "[E5] {date} 使用过紧急窗口（故障 {incident}）：紧急上线的发布计划通过 `done` 阶段之前不能正常上线";
    StatusWindowOpen { until, reason } => en "[E1] an emergency window is open until {until}: {reason}", zh "[E1] 紧急窗口开启中，截止 {until}：{reason}";
    StatusLastClean { tag, master } => en "{tag}: check-master is clean ({master} has everything {tag} carries)",
        zh "{tag}：check-master 通过（{master} 包含 {tag} 的全部内容）";
    StatusLastLost { tag, master, count } => en "{tag}: check-master found {count} LOST change(s) on {master}", zh "{tag}：check-master 在 {master} 上发现 {count} 处丢失（LOST）";
    StatusLastReview { tag, master, count } => en "{tag}: check-master found {count} conflict decision(s) on {master} to review", zh "{tag}：check-master 在 {master} 上发现 {count} 处冲突处理待复查（REVIEW）";
    StatusLastNotMerged { tag, master } => en "{tag}: not merged into {master} yet", zh "{tag}：尚未合入 {master}";
    StatusLastNotChecked { tag, why } => en "{tag}: not checked: {why}", zh "{tag}：未检查：{why}";
    StatusLastNone => en "no release tag yet", zh "还没有发布标签";
    StatusLastRolledBack { tag, to, at } => en "{tag}: rolled back to {to} at {at}; production runs {to}", zh "{tag}：已于 {at} 回滚到 {to}，线上运行的是 {to}";
    StatusLastRolledBackRecorded { tag } => en "{tag}: rolled back (a rollback record says so; its plan does not record to which version)", zh "{tag}：已回滚（回滚记录如此记载，其发布计划未记录回滚到哪个版本）";
    StatusNoProduction { branch } => en "there is no `{branch}` branch here (local or remote-tracking)", zh "这里没有 `{branch}` 分支（本地或远程跟踪分支）";
    StatusLastPlan { file, progress } => en "its plan `{file}`: {progress}", zh "其发布计划 `{file}`：{progress}";
    StatusStageNextShort { stage, count } => en "stage `{stage}` still needs {count}", zh "`{stage}` 阶段还缺 {count} 项";
    HintCheckMasterTag { tag } => en "see the findings: `shipgate check-master {tag}`", zh "查看发现项：`shipgate check-master {tag}`";
    StatusServerAdvertised { remote } => en "enforced: {remote} advertises `refs/shipgate/enforced` (its pre-receive hook judges every push, `--no-verify` ones too)",
        zh "已强制：{remote} 公布了 `refs/shipgate/enforced`（其 pre-receive 钩子会检查每一次推送，包括 `--no-verify` 的推送）";
    StatusServerNotAdvertised { remote } => en "not enforced: {remote} does not advertise `refs/shipgate/enforced`, so a push with `--no-verify` is not checked",
        zh "未强制：{remote} 没有公布 `refs/shipgate/enforced`，`--no-verify` 的推送不会被检查";
    StatusServerFetched { remote } => en "enforced as of the last fetch: this clone has {remote}'s `refs/shipgate/enforced`",
        zh "截至上次获取已强制：本克隆有 {remote} 的 `refs/shipgate/enforced`";
    StatusServerUnknown { remote } => en "unknown: {remote} was not asked, and this clone has no fetched `refs/shipgate/enforced`",
        zh "未知：未询问 {remote}，本克隆也没有获取到的 `refs/shipgate/enforced`";
    StatusServerNoRemote { remote } => en "none: there is no remote `{remote}`, only this clone's hooks check the rules",
        zh "无：没有远程 `{remote}`，只有本克隆的钩子检查规则";
    StatusBare { path } => en "`{path}` is a bare repository: `shipgate status` reports on a working tree", zh "`{path}` 是裸仓库：`shipgate status` 报告的是工作区";
    HintStatusBare { path } => en "on the server, check its hook instead: `shipgate doctor --server --repo {path}`",
        zh "在服务器上请改为检查其钩子：`shipgate doctor --server --repo {path}`";
    ColumnVersion => en "version", zh "版本";
    ColumnKind => en "kind", zh "类型";
    ColumnStage => en "stage", zh "阶段";
    ColumnState => en "state", zh "状态";
    PlanStateDraft => en "draft", zh "草稿";
    PlanStateReleased => en "released", zh "已上线";
    PlanStateRolledBack => en "rolled back", zh "已回滚";
    PlanStateAnalysisOwed => en "rolled back, analysis owed", zh "已回滚，欠问题分析";
    PlanStateUnreadable => en "unreadable", zh "无法读取";
    PlanListSummary { count, dir } => en "{count} plan(s) in `{dir}`", zh "`{dir}` 中共 {count} 份发布计划";
    HintExplain => en "one rule and how shipgate serves it: `shipgate explain F6`", zh "查看单条规则及 shipgate 如何执行它：`shipgate explain F6`";
    ExplainHow => en "how", zh "做法";
    ExplainHooks => en "checked by", zh "检查于";
    ExplainItems => en "plan items", zh "发布计划检查项";
    ExplainRun => en "run", zh "命令";
    ExplainNote => en "note", zh "说明";
    ExplainItem { id, stage } => en "`{id}` (ticked by stage `{stage}`)", zh "`{id}`（`{stage}` 阶段前勾选）";
    ExplainServerHook { hook } => en "{hook} (server)", zh "{hook}（服务器端）";
    ExplainNone => en "nothing automatic: the team follows it", zh "没有自动检查：由团队自行遵守";
    RuleUnknown { id, ids } => en "there is no rule `{id}`: the rules are {ids}", zh "没有规则 `{id}`：规则编号为 {ids}";
    HintRules => en "list them all: `shipgate rules`", zh "列出全部规则：`shipgate rules`";
    ManWritten { count, dir } => en "wrote {count} man pages to `{dir}`", zh "已把 {count} 个 man 手册页写入 `{dir}`";
    HintManRead { page } => en "read one: `man -l {page}`", zh "阅读：`man -l {page}`";
    CompletionShellUnknown { shell, shells } => en "cannot complete for the shell `{shell}`: shipgate completes for {shells}",
        zh "无法为 `{shell}` 补全：shipgate 支持 {shells}";
    HintStatusOffline => en "look without asking the remote: `shipgate status --offline`", zh "不询问远程直接查看：`shipgate status --offline`";
    ListSeparator => en ", ", zh "、";
    HintCompletions => en "set up completion for bash: `source <(shipgate completions bash)`", zh "为 bash 设置补全：`source <(shipgate completions bash)`";

    // ----- announce: notices to the on-call group (F17, F18, F22, R2) -----
    NoticeStart => en "release start notice", zh "上线周知";
    NoticeCanary => en "canary notice", zh "灰度周知";
    NoticeDone => en "completion notice", zh "上线完毕周知";
    NoticeRollback => en "rollback notice", zh "回滚周知";
    NoticeKindFeature => en "feature release", zh "需求上线";
    NoticeKindOptimization => en "technical optimisation", zh "技术优化上线";
    NoticeKindBugfix => en "bug fix", zh "Bug 修复上线";
    NoticeKindEmergency => en "emergency release", zh "紧急上线";
    AnnounceSection => en "Announcements", zh "周知记录";
    AnnounceEntrySent { at, notice, by, robots } => en "{at} · {notice} ({by}): sent to {robots}",
        zh "{at} · {notice}（{by}）：已发送到 {robots}";
    AnnounceEntryPartial { at, notice, by, robots, failed } => en "{at} · {notice} ({by}): sent to {robots}; not delivered to {failed}",
        zh "{at} · {notice}（{by}）：已发送到 {robots}；未送达 {failed}";
    AnnounceEntryByHand { at, notice, by } => en "{at} · {notice} ({by}): posted by hand",
        zh "{at} · {notice}（{by}）：手工发送";
    AnnounceSent { robot, url } => en "sent to {robot} ({url})", zh "已发送到 {robot}（{url}）";
    AnnounceRefused { robot, url; detail } => en "{robot} ({url}) refused the notice: {detail}", zh "{robot}（{url}）拒绝了这条周知：{detail}";
    AnnounceUnreachable { robot, url, tries; detail } => en "could not deliver the notice to {robot} ({url}) in {tries} tries: {detail}",
        zh "尝试 {tries} 次仍无法把周知送到 {robot}（{url}）：{detail}";
    HintAnnounceAgain { moment, version } => en "fix the robot's `url` or `secret_env` in `.shipgate.toml` (the robot's own words are above), then send again: `shipgate announce {moment} --version {version} --send`",
        zh "请按上面群机器人的答复修改 `.shipgate.toml` 中该群机器人的 `url` 或 `secret_env`，然后重新发送：`shipgate announce {moment} --version {version} --send`";
    HintAnnounceRetry { moment, version } => en "once the robot can be reached, send again: `shipgate announce {moment} --version {version} --send`",
        zh "群机器人可以访问后请重新发送：`shipgate announce {moment} --version {version} --send`";
    AnnounceNoRobots => en "no chat robot is configured: `--send` posts to the `[[notify]]` tables of the policy in force (`.shipgate.toml` as committed on the production branch), and it has none",
        zh "没有配置群机器人：`--send` 发送到当前生效策略（生产分支上已提交的 `.shipgate.toml`）中的 `[[notify]]` 表，而其中一个也没有";
    HintAnnounceNoRobots => en "see how to add one (robot, url, secret_env): `shipgate config default`",
        zh "查看添加方法（`robot`、`url`、`secret_env`）：`shipgate config default`";
    AnnounceVarMissing { robot, key, var } => en "{robot}: `{key}` names the environment variable `{var}`, which is not set (or empty); nothing was sent",
        zh "{robot}：`{key}` 指定的环境变量 `{var}` 未设置（或为空）；未发送任何周知";
    HintAnnounceVar { var, moment, version } => en "set it without echoing it, then send: `stty -echo; read -r {var}; stty echo; export {var}; shipgate announce {moment} --version {version} --send`",
        zh "不回显地设置它，然后发送：`stty -echo; read -r {var}; stty echo; export {var}; shipgate announce {moment} --version {version} --send`";
    AnnounceUrlInvalid { robot, var; detail } => en "{robot}: the webhook URL in `{var}` cannot be used: {detail}",
        zh "{robot}：`{var}` 中的 webhook 地址不可用：{detail}";
    AnnounceProxyInvalid { ; detail } => en "the proxy setting cannot be used: {detail}", zh "代理设置不可用：{detail}";
    AnnouncePlanVersion { path, found, version } => en "`{path}` is the plan of {found}, not of {version} (its front matter says `version: {found}`)",
        zh "`{path}` 是 {found} 的发布计划，不是 {version} 的（其文件头为 `version: {found}`）";
    AnnouncePreview => en "a preview: nothing was sent and nothing recorded", zh "仅预览：未发送，也未记录";
    HintAnnounceSend { moment, version } => en "post it to the team's robots and record it in the plan: `shipgate announce {moment} --version {version} --send`",
        zh "发送到团队的群机器人并记入发布计划：`shipgate announce {moment} --version {version} --send`";
    HintAnnounceByHand { moment, version } => en "no robot is configured; once you have posted it by hand, record it in the plan: `shipgate announce {moment} --version {version} --record`",
        zh "没有配置群机器人；手工发到值班群后，请记入发布计划：`shipgate announce {moment} --version {version} --record`";
    AnnounceRecorded { notice, path } => en "recorded the {notice} in `{path}`", zh "已将{notice}记入 `{path}`";
    AnnounceTicked { item, path } => en "ticked `{item}` in `{path}`", zh "已在 `{path}` 中勾选 `{item}`";
    HintAnnounceCommit { path } => en "commit the plan with the release's other post-release records: `git add {path}`",
        zh "请将发布计划与本次上线的其他上线后记录一起提交：`git add {path}`";
    AnnounceNotRecorded { path } => en "`{path}`: the announcement written into the plan does not read back as written; the plan was not changed",
        zh "`{path}`：写入发布计划的周知记录读回后与写入的不一致；发布计划未被修改";
    // ----- every stage from the keyboard: register tables, the next stage, post-release records, hints that run -----
    PlanTableMissing { id, kind } => en "table `{id}` is missing (its heading carries a `table: {id}` comment); the {kind} template has it",
        zh "缺少表格 `{id}`（其标题带有 `table: {id}` 注释）；`{kind}` 模板中有该表格";
    PlanTableEmpty { id } => en "table `{id}` has no rows: register every entry, or write `none` in the first cell of one row",
        zh "表格 `{id}` 没有任何行：请逐行登记，没有需要登记的内容时在一行的第一格写“无”";
    PlanTableCells { id, columns } => en "table `{id}`: {columns} still to fill in (nothing to register: write `none` in the row's first cell and clear the others)",
        zh "表格 `{id}`：{columns} 尚未填写（没有需要登记的内容时，在该行第一格写“无”并清空其余格）";
    PlanTableNoneCells { id } => en "table `{id}` says `none`, but the rest of its row still holds template text: clear those cells",
        zh "表格 `{id}` 写了“无”，但该行其余格仍是模板文字：请清空这些格";
    PlanTableNoneMixed { id } => en "table `{id}` has a `none` row among rows that register entries: keep one or the other",
        zh "表格 `{id}` 在登记内容的行之间还有一行“无”：二者只能保留其一";
    PlanVersionPattern { version, pattern } => en "`{version}` is not a release version here: release tags match `{pattern}` (`[tags] release` in `.shipgate.toml`) and are versions like v1.2.3",
        zh "`{version}` 不是本仓库的上线版本：发布标签须符合 `{pattern}`（`.shipgate.toml` 中的 `[tags] release`），并是形如 v1.2.3 的版本号";
    HintVersionLike { command } => en "did you mean: `{command}`", zh "是否想运行：`{command}`";
    HintVersionTags { pattern } => en "see the release tags this repository has: `git tag --list '{pattern}'`", zh "查看本仓库已有的发布标签：`git tag --list '{pattern}'`";
    PlanNextStage { path, stage, passed } => en "{path}: next stage `{stage}` (passes {passed})", zh "{path}：下一阶段为 `{stage}`（已满足 {passed}）";
    PlanNextStageFirst { path, stage } => en "{path}: next stage `{stage}`", zh "{path}：下一阶段为 `{stage}`";
    PlanStageGroup { stage, count } => en "before stage `{stage}`, {count} thing(s) to do:", zh "进入 `{stage}` 阶段前，还有 {count} 项需要处理：";
    PlanLaterStage { stage, count, version } => en "then before stage `{stage}`: {count} more (`shipgate plan check {version} --stage {stage}` lists them)",
        zh "之后进入 `{stage}` 阶段前：还有 {count} 项（`shipgate plan check {version} --stage {stage}` 会列出）";
    HintRecordPostRelease { version, path, remote, branch } => en "once {version} is deployed, record its canary, the minutes observed, every exception, the data check, QA's check and the completion notice in `{path}`, straight on `{branch}` (a commit that changes only the plan of a released version is accepted there): `git switch {branch} && git pull --ff-only {remote} {branch} && ${{EDITOR:-vi}} {path} && git commit -m \"{version}: post-release record\" {path} && git push {remote} {branch}`",
        zh "{version} 部署后，把灰度、实际观察分钟数、每个异常、数据检查、QA 验证和上线完毕周知记录到 `{path}`，可直接在 `{branch}` 上提交（只修改已上线版本发布计划的提交会被接受）：`git switch {branch} && git pull --ff-only {remote} {branch} && ${{EDITOR:-vi}} {path} && git commit -m \"{version}: 上线后记录\" {path} && git push {remote} {branch}`";
    HintPostReleaseCheck { version } => en "then see what the plan still needs: `shipgate plan check {version} --stage done`", zh "然后查看发布计划还缺什么：`shipgate plan check {version} --stage done`";
    HintMergeAbort => en "the merge is refused and still in progress: go back to where you were with `git merge --abort`",
        zh "该合并被拒绝，但仍处于进行中：用 `git merge --abort` 回到合并之前的状态";
    HintTagDelete { tag } => en "the refused tag stays in this clone: delete it, and tag again once the above is fixed: `git tag -d {tag}`",
        zh "被拒绝的标签仍留在本地仓库：请删除它，问题解决后再重新打标签：`git tag -d {tag}`";
    HintProductionOnlyTags { branch } => en "`{branch}` only moves to a release tag: QA tags the release on the release branch and merges the tag into `{branch}`",
        zh "`{branch}` 只能前进到发布标签：由 QA 在发布分支上打标签，再把该标签合并到 `{branch}`";
    HintMoveToDevBranch { remote, branch, new } => en "move these commits to a development branch, put `{branch}` back where the remote has it, and push the branch for review: `git switch -c {new} && git branch -f {branch} {remote}/{branch} && git push {remote} {new}`",
        zh "请把这些提交移到开发分支，把 `{branch}` 恢复到远程的位置，再推送开发分支以发起评审：`git switch -c {new} && git branch -f {branch} {remote}/{branch} && git push {remote} {new}`";
    HintRebuildUnnamed { test, merge } => en "a development branch merged `{test}` in ({merge}), so it carries test's commits; rebuild it from release with its own commits only:",
        zh "某个开发分支合并过 `{test}`（{merge}），因此带有 `{test}` 的提交；请基于发布分支只用它自己的提交重建：";
    HintMergeDevBranch { test, branch, dev } => en "`{branch}` takes the development branch that was tested, never `{test}` itself: `git merge --no-ff {dev}`",
        zh "`{branch}` 接收经过测试的开发分支，绝不接收 `{test}` 本身：`git merge --no-ff {dev}`";
    HintListDevBranches { test, branch, upstream } => en "`{branch}` takes the development branch that was tested, never `{test}` itself; the branches `{branch}` does not have yet: `git branch --no-merged {upstream}`",
        zh "`{branch}` 接收经过测试的开发分支，绝不接收 `{test}` 本身；尚未合入 `{branch}` 的分支：`git branch --no-merged {upstream}`";
    HintCommitConfig => en "commit it on a development branch (an untracked copy would stop `git switch` to a branch that has it committed): `git switch -c feature/shipgate-policy && git add .shipgate.toml && git commit -m \"shipgate policy\"`",
        zh "请在开发分支上提交它（未跟踪的副本会妨碍 `git switch` 到已提交该文件的分支）：`git switch -c feature/shipgate-policy && git add .shipgate.toml && git commit -m \"shipgate policy\"`";
    HintCommitConfigFirst => en "commit it as the repository's first commit, before `master` is pushed: the first push of `master` brings the policy: `git add .shipgate.toml && git commit -m \"shipgate policy\"`",
        zh "请把它作为仓库的第一个提交，在推送 `master` 之前提交：`master` 的首次推送会带上该策略：`git add .shipgate.toml && git commit -m \"shipgate policy\"`";
    ConfigCommittedOn { at } => en "`.shipgate.toml` is committed on `{at}`: that is the policy; no copy written here (an untracked one would stop `git switch`)",
        zh "`.shipgate.toml` 已提交在 `{at}` 上，以它为策略；这里不再写入副本（未跟踪的副本会妨碍 `git switch`）";
    ConfigCommittedElsewhere => en "`.shipgate.toml` is committed on a branch of this repository: no copy written here (an untracked one would stop `git switch` to that branch); the policy in force is the one committed on the production branch, the defaults until there is one",
        zh "本仓库的某个分支已提交 `.shipgate.toml`：这里不再写入副本（未跟踪的副本会妨碍 `git switch` 到该分支）；生效的策略是生产分支上提交的那份，在此之前使用默认配置";
    HintEmergencyIncident => en "production is down? `shipgate emergency start --reason \"production incident\"` allows direct commits to release for a limited time, recorded in the audit log (E1)",
        zh "线上故障？`shipgate emergency start --reason \"线上故障\"` 会在限定时间内允许直接提交到发布分支，并记入审计日志（E1）";
    HintEmergencyPushIncident { people, branch } => en "production is down? a system owner or tech lead ({people}) may push the fix straight to `{branch}`, audited and owing an emergency plan (E5; add `-o shipgate.incident=ID` to name the incident): `git push -o shipgate.emergency=\"production incident\" origin {branch}`",
        zh "线上故障？系统负责人或技术负责人（{people}）可把修复直接推送到 `{branch}`，该推送会记入审计日志，并须补写紧急上线的发布计划（E5；可加 `-o shipgate.incident=编号` 标明故障）：`git push -o shipgate.emergency=\"线上故障\" origin {branch}`";
    // ----- the demo walks the whole process: the on-call group's robot; a released plan committed alone -----
    DemoRobot { url } => en "  the on-call group (值班群): its WeCom group robot is a stand-in at {url}, inside this demo; nothing leaves this machine",
        zh "  值班群：企业微信群机器人由本演示内的替身扮演，地址 {url}；不会有任何数据离开本机";
    DemoRobotHeard { count } => en "the on-call group's robot received {count} notice(s)", zh "值班群的群机器人共收到 {count} 条周知";
    DemoRobotFailed { detail } => en "cannot start the demo's stand-in chat robot on 127.0.0.1: {detail}",
        zh "无法在 127.0.0.1 上启动演示用的替身群机器人：“{detail}”";
    HintCommitPlanAlone { version, path, branch } => en "`{path}` is the plan of released {version}: `{branch}` takes a commit of that file alone; commit it alone (the rest stays in your working tree, for a development branch): `git commit -m \"{version}: post-release record\" {path}`",
        zh "`{path}` 是已上线版本 {version} 的发布计划：`{branch}` 接受只修改该文件的提交；请单独提交它（其余改动留在工作区，之后放到开发分支上）：`git commit -m \"{version}: 上线后记录\" {path}`";
    // ----- details in the reader's language: validators, robots' replies, parsers (issue 13.8) -----
    Verbatim { text } => en "{text}", zh "“{text}”";
    ParserSaid { text } => en "{text}", zh "解析器报告：“{text}”";
    SerdeUnknownField { field, expected } => en "unknown field `{field}`, expected one of {expected}",
        zh "未知字段 `{field}`，可用的字段：{expected}";
    SerdeUnknownFieldNone { field } => en "unknown field `{field}`: this table takes no fields", zh "未知字段 `{field}`：这里不接受任何字段";
    SerdeUnknownVariant { value, expected } => en "unknown variant `{value}`, expected one of {expected}",
        zh "`{value}` 不是可用的值，可用的值：{expected}";
    SerdeMissingField { field } => en "missing field `{field}`", zh "缺少字段 `{field}`";
    SerdeDuplicateField { field } => en "duplicate field `{field}`", zh "字段 `{field}` 重复";
    SerdeDuplicateKey { key } => en "duplicate key `{key}`", zh "键 `{key}` 重复";
    SerdeInvalidType { ; found, expected } => en "invalid type: {found}, expected {expected}", zh "类型不对：这里是{found}，应为{expected}";
    SerdeInvalidValue { ; found, expected } => en "invalid value: {found}, expected {expected}", zh "值不对：这里是{found}，应为{expected}";
    SerdeInvalidLength { len; expected } => en "invalid length {len}, expected {expected}", zh "长度 {len} 不对，应为{expected}";
    SerdeValued { value; kind } => en "{kind} {value}", zh "{kind} {value}";
    KindString => en "a string", zh "字符串";
    KindInteger => en "an integer", zh "整数";
    KindFloat => en "a floating-point number", zh "浮点数";
    KindBool => en "a boolean", zh "布尔值";
    KindSequence => en "a sequence", zh "数组";
    KindTable => en "a table", zh "表";
    KindNothing => en "nothing", zh "空值";
    KindOther { text } => en "{text}", zh "“{text}”";
    NotUtf8 => en "the file is not valid UTF-8", zh "文件不是有效的 UTF-8 编码";
    ConfigTooLarge { max } => en "the file is larger than a config may be ({max} bytes at most)", zh "文件超过了配置文件的大小上限（最多 {max} 字节）";
    ConfigNotGlob { value, detail } => en "`{value}` is not a glob pattern ({detail})", zh "`{value}` 不是有效的通配符模式（“{detail}”）";
    RefPatternEmpty => en "a branch or tag pattern cannot be empty", zh "分支或标签的模式不能为空";
    RefPatternChar { value, bad } => en "`{value}`: git ref names cannot contain {bad}", zh "`{value}`：git 引用名不能包含 {bad}";
    RefPatternFull { value, short } => en "`{value}`: write the short name (`{short}`), not the full ref", zh "`{value}`：请写短名称（`{short}`），而不是完整的引用";
    DirNoFolder { value } => en "`{value}` must name a folder inside the repository", zh "`{value}` 必须指定仓库内的一个目录";
    DirOutside { value } => en "`{value}` must be a directory inside the repository (relative, without `..`)", zh "`{value}` 必须是仓库内的目录（相对路径，不含 `..`）";
    DurationInvalid { value, detail } => en "`{value}` is not a duration ({detail}); write e.g. `2h` or `90m`", zh "`{value}` 不是有效的时长（“{detail}”）；请写成 `2h` 或 `90m` 这样的形式";
    DurationNotPositive { value } => en "`{value}` must be longer than zero", zh "`{value}` 必须大于零";
    DurationTooLong { value } => en "`{value}` is longer than 24 hours; an emergency window is short by design", zh "`{value}` 超过 24 小时；紧急窗口按设计只能很短";
    RobotConfig { kind; why } => en "{kind} robot: {why}", zh "{kind} 群机器人：{why}";
    RobotUrlAndEnv { kind } => en "{kind} robot: give `url` or `url_env`, not both", zh "{kind} 群机器人：`url` 与 `url_env` 只能给出其一";
    RobotUrlMissing { kind } => en "{kind} robot: `url` (the webhook address) or `url_env` (the variable holding it) is required",
        zh "{kind} 群机器人：必须给出 `url`（webhook 地址）或 `url_env`（保存该地址的环境变量）";
    RobotNotSigned { kind } => en "{kind} robots are not signed: remove `secret_env` (only feishu and dingtalk have a signing secret)",
        zh "{kind} 群机器人不签名：请删除 `secret_env`（只有 feishu 和 dingtalk 有签名密钥）";
    EnvNameInvalid { key, name } => en "`{key}` names an environment variable (letters, digits and `_`): `{name}` is not one",
        zh "`{key}` 须为环境变量名（字母、数字和 `_`）：`{name}` 不是";
    WebhookNotUrl { detail } => en "the webhook URL is not a URL ({detail})", zh "webhook 地址不是有效的 URL（“{detail}”）";
    WebhookNoHost => en "the webhook URL has no host", zh "webhook 地址中没有主机名";
    WebhookHttp { url } => en "the webhook URL for {url} must use https (http only reaches this machine)", zh "{url} 的 webhook 地址必须使用 https（http 只能用于本机）";
    WebhookScheme { scheme } => en "the webhook URL must be https, not `{scheme}:`", zh "webhook 地址必须是 https，而不是 `{scheme}:`";
    RobotCode { key, code, said } => en "{key} {code}: {said}", zh "答复 `{key}` 为 {code}：“{said}”";
    RobotNoCode { status, key, said } => en "HTTP {status} without `{key}` in the reply: {said}", zh "HTTP {status}，答复中没有 `{key}`：“{said}”";
    RobotHttpStatus { status } => en "HTTP {status}", zh "HTTP 状态码 {status}";
    RobotHttpSaid { status, said } => en "HTTP {status} {said}", zh "HTTP 状态码 {status}，答复：“{said}”";
    TransportTimeout { what } => en "timed out ({what})", zh "超时（`{what}`）";
    TransportHostNotFound => en "host not found", zh "找不到主机";
    TransportConnectionFailed => en "connection failed", zh "连接失败";
    TransportIo { detail } => en "{detail}", zh "网络读写出错：“{detail}”";
    TransportTls { detail } => en "TLS: {detail}", zh "TLS 出错：“{detail}”";
    TransportRedirect => en "the webhook answered with a redirect", zh "webhook 地址返回了重定向";
    TransportProtocol { detail } => en "HTTP protocol error: {detail}", zh "HTTP 协议出错：“{detail}”";
    TransportProxyUrl => en "the proxy setting is not a URL", zh "代理设置不是 URL";
    TransportProxyRefused { detail } => en "the proxy refused the connection: {detail}", zh "代理拒绝了连接：“{detail}”";
    TransportNotSent => en "the request could not be sent", zh "请求无法发出";
    ProxyNotUrl { var, detail } => en "`{var}` is not a proxy URL ({detail})", zh "`{var}` 不是代理 URL（“{detail}”）";
    ProxyScheme { var, scheme } => en "`{var}` names a `{scheme}:` proxy; shipgate reaches robots through http:// or https:// proxies",
        zh "`{var}` 指定的是 `{scheme}:` 代理；shipgate 只通过 `http://` 或 `https://` 代理访问群机器人";
    ProxyNoHost { var } => en "`{var}` names no proxy host", zh "`{var}` 中没有代理主机";
    ProxyUnusable { var } => en "`{var}` is not a usable proxy", zh "`{var}` 不是可用的代理";
    PlanTooLarge { max } => en "the file is larger than a plan may be: a plan may be at most {max} bytes", zh "文件超过了发布计划的大小上限：最多 {max} 字节";
    PlanNoFrontMatter => en "a plan starts with a `---` line opening its front matter", zh "发布计划须以一行 `---` 开始，打开文件头";
    PlanFrontMatterOpen => en "the front matter opened on line 1 is never closed by a `---` line", zh "第 1 行打开的文件头没有以一行 `---` 结束";
    PlanFrontMatter { ; detail } => en "front matter: {detail}", zh "文件头：{detail}";
    PrintedInstead { text } => en "printed `{text}`", zh "输出的是 `{text}`";
    NoAnswerIn { secs } => en "no answer in {secs} s", zh "{secs} 秒内没有答复";
    NoOutput => en "no output", zh "没有任何输出";
    WhyShallow => en "shallow", zh "浅克隆";
    WhyGrafts => en "rewritten by `.git/info/grafts`", zh "`.git/info/grafts` 改写了父提交";
    ServerTipMissing { branch, id } => en "cannot read the repository: the tip {id} of `{branch}` is missing from this repository",
        zh "无法读取仓库：本仓库缺少 `{branch}` 的最新提交 {id}";
    AtLine { line; detail } => en "line {line}: {detail}", zh "第 {line} 行：{detail}";
    Literal { text } => en "{text}", zh "{text}";
    DoctorPolicy => en "policy", zh "策略";
    HookWithLayout { hook, layout } => en "{hook} ({layout})", zh "{hook}（{layout}）";
    StateAndNote { ; state, note } => en "{state}; {note}", zh "{state}；{note}";
    PlanDiffFresh { path } => en "{path} (fresh from the template)", zh "{path}（由模板新生成）";
    RollbackConfirmedByComment => en "the system owner or TL who confirmed the problem analysis (R4)", zh "确认问题分析的系统负责人或技术负责人（R4）";
    DemoWhatPlaceholder { placeholder, id } => en "`{placeholder}` in item `{id}`", zh "检查项 `{id}` 中的 `{placeholder}`";
    DemoWhatItem { id } => en "item `{id}`", zh "检查项 `{id}`";
    DemoWhatKey { key } => en "front-matter key `{key}`", zh "文件头字段 `{key}`";
    DemoWhatTable { n } => en "table {n}", zh "第 {n} 个表格";
    DemoWhatRows { placeholder, n } => en "`{placeholder}` rows in table {n}", zh "第 {n} 个表格中的 `{placeholder}` 行";
    DemoNoPeople => en "the script names no people", zh "演示脚本中没有任何人";
    DemoSeedGit { command, output } => en "`{command}` failed: {output}", zh "`{command}` 失败：“{output}”";
    DemoStepPerson { step, who } => en "step `{step}`: unknown person `{who}`", zh "步骤 `{step}`：未知的人 `{who}`";
    DemoStepTime { step, at } => en "step `{step}`: `at` is no time: `{at}`", zh "步骤 `{step}`：`at` 不是时间：`{at}`";
    DemoStepCommand { step } => en "step `{step}`: a command runs `git` or `shipgate`", zh "步骤 `{step}`：命令只能运行 `git` 或 `shipgate`";
    DemoStepNoPast { step } => en "step `{step}`: a refusal is not followed by the way past it (`past = true`)", zh "步骤 `{step}`：拒绝之后没有给出通过的办法（`past = true`）";
    SerdeExpected { ; expected } => en "expected {expected}", zh "类型不对：应为{expected}";
    KindStringOrTable => en "a string or a table", zh "字符串或表";
    // ----- check-master on real histories: equivalence by patch id, sync-merge conflicts, files left out (issue 12) -----
    ReasonPickedThenChanged => en "a conflict side's lines were dropped; the other side had taken their commit under another id (the same patch id) and changed the lines since",
        zh "冲突一方的行被丢弃；另一方已以另一个提交取得同一改动（patch id 相同），之后又改动了这些行";
    ReasonDecidedOnBranch => en "a conflict decided on a development branch when it merged the release line in; the branch's reviewed merge onto the release line shows it",
        zh "开发分支把发布分支合入自身时解决的冲突，由开发者决定；该分支经评审合入发布分支的那次合并会显示它";
    ReasonLeftOut => en "the merge left out what one commit brought (a file it added, and its lines elsewhere) while taking the rest of that side: removed on purpose, for a reviewer to confirm",
        zh "合并接收了该侧的其余改动，却舍弃了某个提交带来的内容（它新增的文件及其在别处改动的行）：属有意删除，请评审确认";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_render_arguments() {
        let msg = Msg::HookUnknown {
            name: "post-frob".into(),
        };
        assert!(msg.render(Lang::En).contains("post-frob"));
        assert!(msg.render(Lang::ZhCn).contains("post-frob"));
        assert_ne!(msg.render(Lang::En), msg.render(Lang::ZhCn));
    }

    #[test]
    fn catalog_is_not_empty() {
        assert!(Msg::IDS.len() > 50);
    }

    #[test]
    fn lists_are_said_in_the_message_language() {
        let msg = Msg::HintAskQa {
            people: list(["wangwu", "zhaoliu"]),
        };
        assert!(msg.render(Lang::En).contains("(wangwu, zhaoliu)"));
        assert!(msg.render(Lang::ZhCn).contains("（wangwu、zhaoliu）"));
        assert_eq!(list(Vec::<String>::new()), "");
    }

    /// Every Chinese text of the catalog, as written in this file (`(id, text)`).
    fn zh_literals() -> Vec<(String, String)> {
        let source = include_str!("messages.rs");
        let body = &source[source.find("catalog! {").expect("the catalog")..];
        let mut out = Vec::new();
        let mut rest = body;
        while let Some(at) = rest.find("=> en \"") {
            let name = rest[..at]
                .trim_end()
                .rsplit(|c: char| c.is_whitespace() || c == ';')
                .find(|w| w.starts_with(char::is_uppercase))
                .unwrap_or_default()
                .to_string();
            let after = &rest[at..];
            let zh_at = after.find(" zh \"").expect("every message has a zh text") + 5;
            let mut text = String::new();
            let mut chars = after[zh_at..].chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => text.push(chars.next().unwrap_or_default()),
                    '"' => break,
                    c => text.push(c),
                }
            }
            out.push((name, text));
            rest = &after[zh_at..];
        }
        out
    }

    /// The Chinese catalog follows docs/glossary.md: one term per concept (no 上线计划,
    /// no `owner`/`TL`, no `tag` in prose, ...) and Chinese punctuation (no half-width
    /// comma or parenthesis between Chinese characters, no space beside full-width
    /// punctuation).
    #[test]
    fn zh_follows_the_glossary() {
        let literals = zh_literals();
        assert_eq!(literals.len(), Msg::IDS.len(), "every message read");
        let mut wrong = Vec::new();
        for (name, text) in &literals {
            for problem in crate::i18n::style::problems(text) {
                wrong.push(format!("{name}: {problem}\n    {text}"));
            }
        }
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }
}
