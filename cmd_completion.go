package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"chainfix/internal/target"
)

// completionShells are the shells `chainfix completion` writes for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

func completionCommand(st *state) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh, fish or powershell",
		ArgsUsage: "SHELL",
		Description: `Prints a script that completes chainfix's commands, flags, the values of
--format, --purpose, --encryption, --starttls, --for, --roots and the log
flags, and file names where a file is expected. The script is static: the
shell never runs chainfix to complete. See README.md for where to install it.

Examples:
   chainfix completion bash > /etc/bash_completion.d/chainfix
   chainfix completion zsh > "${fpath[1]}/_chainfix"
   chainfix completion fish > ~/.config/fish/completions/chainfix.fish
   chainfix completion powershell >> $PROFILE`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("completion needs one shell: %s", strings.Join(completionShells, ", "))
			}
			return writeCompletion(st.stdout, c.App, c.Args().First())
		},
	}
}

// writeCompletion writes the completion script for shell, built from the
// app's own command tree, so that it never lists a flag the app lacks.
func writeCompletion(w io.Writer, app *cli.App, shell string) error {
	m := completionModel(app)
	var script string
	switch shell {
	case "bash":
		script = bashCompletion(m)
	case "zsh":
		script = zshCompletion(m)
	case "fish":
		// urfave/cli writes commands and flags (file flags marked with
		// TakesFile in newApp); the values of flags it cannot know.
		s, err := withOwnFlagTypes(app).ToFishCompletion()
		if err != nil {
			return err
		}
		// Its descriptions keep the backquotes of `FILE` placeholders.
		script = strings.ReplaceAll(s, "`", "") + fishValues(m)
	case "powershell":
		script = powershellCompletion(m)
	default:
		return usagef("completion: unknown shell %q; want %s", shell, strings.Join(completionShells, ", "))
	}
	_, err := io.WriteString(w, script)
	return err
}

// What a flag's value is, for completion.
const (
	valueNone  = iota // a boolean flag
	valueFree         // a value completion cannot guess (a time, a host)
	valueWords        // one of compFlag.words
	valueFile         // a file name (and compFlag.words, e.g. --roots system)
	valueDir          // a directory name
)

// flagWords are the values completion offers for a flag; the commands
// check them (TestCompletionValuesAccepted runs each one).
func flagWords(name string) []string {
	switch name {
	case flagFormat:
		return []string{"pem", "der", "p7b"}
	case flagPurpose:
		return []string{"server", "client", "any"}
	case flagEncryption:
		return []string{"modern", "legacy"}
	case flagStartTLS:
		return []string{"smtp", "imap", "pop3", "ftp", "postgres"}
	case flagFor:
		return target.Names()
	case flagRoots:
		return []string{rootsSystem, rootsMozilla}
	case flagLogLevel:
		return []string{"error", "warn", "info", "debug", "trace"}
	case flagLogFormat:
		return []string{"text", "json"}
	}
	return nil
}

// filePlaceholders and dirPlaceholders are the `NAME`s in flag usages that
// stand for a file or a directory.
var (
	filePlaceholders = []string{"FILE", "KEY"}
	dirPlaceholders  = []string{"DIR"}
)

type compFlag struct {
	long, short []string // without dashes
	usage       string
	kind        int
	words       []string
	repeatable  bool
}

type compCommand struct {
	name  string
	usage string
	flags []compFlag
	// args: what the positional arguments are (valueFile, valueWords with
	// argWords, or valueNone).
	args     int
	argWords []string
}

type compTree struct {
	name     string
	global   []compFlag
	commands []compCommand
}

// completionModel reads the app's command tree.
func completionModel(app *cli.App) compTree {
	t := compTree{name: app.Name}
	t.global = compFlags(append(slices.Clone(app.VisibleFlags()), cli.HelpFlag, cli.VersionFlag))
	var names []string
	for _, c := range app.VisibleCommands() {
		names = append(names, c.Name)
	}
	for _, c := range app.VisibleCommands() {
		cc := compCommand{name: c.Name, usage: c.Usage, flags: compFlags(append(slices.Clone(c.VisibleFlags()), cli.HelpFlag))}
		switch {
		case c.Name == "help":
			cc.args, cc.argWords = valueWords, names
		case c.Name == "completion":
			cc.args, cc.argWords = valueWords, completionShells
		case strings.Contains(c.ArgsUsage, "FILE") || strings.Contains(c.ArgsUsage, "CERT"):
			cc.args = valueFile
		}
		t.commands = append(t.commands, cc)
	}
	return t
}

func compFlags(flags []cli.Flag) []compFlag {
	var out []compFlag
	seen := map[string]bool{}
	for _, f := range flags {
		df, ok := f.(cli.DocGenerationFlag)
		if !ok || seen[f.Names()[0]] {
			continue
		}
		seen[f.Names()[0]] = true
		placeholder, usage := unquoteUsage(df.GetUsage())
		cf := compFlag{usage: usage, kind: valueNone}
		for _, n := range f.Names() {
			if len(n) == 1 {
				cf.short = append(cf.short, n)
			} else {
				cf.long = append(cf.long, n)
			}
		}
		if df.TakesValue() {
			cf.kind = valueFree
			cf.words = flagWords(f.Names()[0])
			switch {
			case slices.Contains(filePlaceholders, placeholder):
				cf.kind = valueFile
			case slices.Contains(dirPlaceholders, placeholder):
				cf.kind = valueDir
			case len(cf.words) > 0:
				cf.kind = valueWords
			}
		}
		if sf, ok := f.(cli.DocGenerationSliceFlag); ok && sf.IsSliceFlag() {
			cf.repeatable = true
		}
		out = append(out, cf)
	}
	return out
}

// markFileFlags sets TakesFile on the flags whose value is a file or a
// directory (by the `FILE`/`DIR` in their usage), which urfave/cli's fish
// completion reads. It runs in every process: the switch on the three
// types that have the field asks the runtime for no interface table, and
// placeholderOf builds no string.
func markFileFlags(flags []cli.Flag) {
	for _, f := range flags {
		switch f := f.(type) {
		case *cli.StringFlag:
			f.TakesFile = f.TakesFile || namesFile(f.Usage)
		case *cli.StringSliceFlag:
			f.TakesFile = f.TakesFile || namesFile(f.Usage)
		case *cli.PathFlag:
			f.TakesFile = f.TakesFile || namesFile(f.Usage)
		}
	}
}

// namesFile reports whether a flag usage's placeholder is a file or a
// directory.
func namesFile(usage string) bool {
	p := placeholderOf(usage)
	return slices.Contains(filePlaceholders, p) || slices.Contains(dirPlaceholders, p)
}

// placeholderOf is unquoteUsage's placeholder alone.
func placeholderOf(usage string) string {
	_, rest, ok := strings.Cut(usage, "`")
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, "`")
	if !ok {
		return ""
	}
	return name
}

// unquoteUsage splits a flag usage into its `NAME` placeholder and the text
// without backquotes, as urfave/cli's help does (its function is not
// exported).
func unquoteUsage(usage string) (placeholder, text string) {
	before, rest, ok := strings.Cut(usage, "`")
	if !ok {
		return "", usage
	}
	name, after, ok := strings.Cut(rest, "`")
	if !ok {
		return "", usage
	}
	return name, before + name + after
}

// dashed is every name of a flag with its dashes.
func (f compFlag) dashed() []string {
	var out []string
	for _, n := range f.long {
		out = append(out, "--"+n)
	}
	for _, n := range f.short {
		out = append(out, "-"+n)
	}
	return out
}

// description is a flag's or command's usage cut to one short line for the
// shells that show it.
func description(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.IndexAny(s, ";("); i > 20 {
		s = strings.TrimSpace(s[:i])
	}
	const max = 70
	if len(s) > max {
		s = strings.TrimSpace(s[:max-3]) + "..."
	}
	return s
}

func (t compTree) allFlags(fs []compFlag) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.dashed()...)
	}
	return out
}

func (t compTree) commandNames() []string {
	var out []string
	for _, c := range t.commands {
		out = append(out, c.name)
	}
	return out
}

// valueFlags are the names (dashed) of the flags that take a value.
func valueFlags(fs []compFlag) []string {
	var out []string
	for _, f := range fs {
		if f.kind != valueNone {
			out = append(out, f.dashed()...)
		}
	}
	return out
}

// bashCompletion: one function that finds the command (the first word that
// is not a global flag or its value), completes the value of the flag
// before the cursor, else flags after "-", else the command's arguments.
// bash-completion's _init_completion is used when it is loaded.
func bashCompletion(t compTree) string {
	var b strings.Builder
	fn := "_" + t.name
	fmt.Fprintf(&b, `# bash completion for %[1]s; generated by "%[1]s completion bash"
%[2]s() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        COMPREPLY=()
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur="${COMP_WORDS[COMP_CWORD]}"
        prev="${COMP_WORDS[COMP_CWORD-1]}"
    fi
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
            %[3]s) ((i++)) ;;
            -*) ;;
            *) cmd="${words[i]}"; break ;;
        esac
    done
    case "$cmd $prev" in
`, t.name, fn, strings.Join(valueFlags(t.global), "|"))
	writeCase := func(cmd string, f compFlag) {
		if f.kind == valueNone {
			return
		}
		var pats []string
		for _, n := range f.dashed() {
			if cmd == "" {
				// A global flag, also after the command.
				pats = append(pats, "*"+shellQuote(" "+n))
			} else {
				pats = append(pats, shellQuote(cmd+" "+n))
			}
		}
		fmt.Fprintf(&b, "        %s)\n", strings.Join(pats, "|"))
		switch f.kind {
		case valueFile:
			fmt.Fprintf(&b, "            %s_files%s\n", fn, wordsArg(f.words))
		case valueDir:
			fmt.Fprintf(&b, "            %s_dirs\n", fn)
		case valueWords:
			fmt.Fprintf(&b, "            COMPREPLY=($(compgen -W %s -- \"$cur\"))\n", shellQuote(strings.Join(f.words, " ")))
		default:
			b.WriteString("            COMPREPLY=()\n")
		}
		b.WriteString("            return ;;\n")
	}
	for _, f := range t.global {
		writeCase("", f)
	}
	for _, c := range t.commands {
		for _, f := range c.flags {
			writeCase(c.name, f)
		}
	}
	b.WriteString("    esac\n    case \"$cmd\" in\n")
	fmt.Fprintf(&b, "        \"\")\n            if [[ $cur == -* ]]; then\n                COMPREPLY=($(compgen -W %s -- \"$cur\"))\n            else\n                COMPREPLY=($(compgen -W %s -- \"$cur\"))\n            fi ;;\n",
		shellQuote(strings.Join(t.allFlags(t.global), " ")), shellQuote(strings.Join(t.commandNames(), " ")))
	for _, c := range t.commands {
		fmt.Fprintf(&b, "        %s)\n            if [[ $cur == -* ]]; then\n                COMPREPLY=($(compgen -W %s -- \"$cur\"))\n",
			shellQuote(c.name), shellQuote(strings.Join(t.allFlags(c.flags), " ")))
		switch c.args {
		case valueFile:
			fmt.Fprintf(&b, "            else\n                %s_files\n", fn)
		case valueWords:
			fmt.Fprintf(&b, "            else\n                COMPREPLY=($(compgen -W %s -- \"$cur\"))\n", shellQuote(strings.Join(c.argWords, " ")))
		}
		b.WriteString("            fi ;;\n")
	}
	fmt.Fprintf(&b, `    esac
}
# %[1]s_files completes file names, and the words given (--roots system).
%[1]s_files() {
    local IFS=$'\n' w
    type compopt >/dev/null 2>&1 && compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
    for w in "$@"; do
        [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
    done
}
%[1]s_dirs() {
    local IFS=$'\n'
    type compopt >/dev/null 2>&1 && compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -d -- "$cur"))
}
complete -F %[1]s %[2]s %[2]s.exe
`, fn, t.name)
	return b.String()
}

func wordsArg(words []string) string {
	var b strings.Builder
	for _, w := range words {
		b.WriteString(" " + shellQuote(w))
	}
	return b.String()
}

// shellQuote quotes s for bash, zsh and fish alike ('...', with ' as '\”).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// zshCompletion: an _arguments spec per command, with descriptions.
func zshCompletion(t compTree) string {
	var b strings.Builder
	fn := "_" + t.name
	fmt.Fprintf(&b, "#compdef %[1]s %[1]s.exe\n# zsh completion for %[1]s; generated by \"%[1]s completion zsh\"\n\n%[2]s() {\n", t.name, fn)
	b.WriteString("    local curcontext=\"$curcontext\" state line ret=1\n    typeset -A opt_args\n    local -a commands\n    commands=(\n")
	for _, c := range t.commands {
		fmt.Fprintf(&b, "        %s\n", shellQuote(zshEscape(c.name, ":")+":"+description(c.usage)))
	}
	b.WriteString("    )\n    _arguments -C \\\n")
	for _, s := range zshSpecs(t.global) {
		fmt.Fprintf(&b, "        %s \\\n", s)
	}
	b.WriteString("        '1: :->command' \\\n        '*:: :->args' && ret=0\n")
	b.WriteString("    case $state in\n    command)\n        _describe -t commands 'chainfix command' commands && ret=0 ;;\n    args)\n        curcontext=\"${curcontext%:*:*}:" + t.name + "-$words[1]:\"\n        case $words[1] in\n")
	for _, c := range t.commands {
		fmt.Fprintf(&b, "        %s)\n            _arguments \\\n", shellQuote(c.name))
		for _, s := range zshSpecs(c.flags) {
			fmt.Fprintf(&b, "                %s \\\n", s)
		}
		switch c.args {
		case valueFile:
			b.WriteString("                '*:file:_files' \\\n")
		case valueWords:
			fmt.Fprintf(&b, "                %s \\\n", shellQuote("1:"+c.name+":("+strings.Join(c.argWords, " ")+")"))
		}
		b.WriteString("                && ret=0 ;;\n")
	}
	fmt.Fprintf(&b, "        esac ;;\n    esac\n    return ret\n}\n\nif [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n    %[1]s \"$@\"\nelse\n    compdef %[1]s %[2]s %[2]s.exe\nfi\n", fn, t.name)
	return b.String()
}

// zshSpecs are the _arguments specs of flags: '--name=[desc]:msg:action',
// one per name, '*' before a repeatable flag.
func zshSpecs(fs []compFlag) []string {
	var out []string
	for _, f := range fs {
		desc := "[" + zshEscape(description(f.usage), "[]") + "]"
		action := ""
		switch f.kind {
		case valueFile:
			action = ":file:_files"
			if len(f.words) > 0 {
				action = ":file:{_files; compadd -- " + strings.Join(f.words, " ") + "}"
			}
		case valueDir:
			action = ":directory:_files -/"
		case valueWords:
			action = ":" + strings.TrimLeft(f.dashed()[0], "-") + ":(" + strings.Join(f.words, " ") + ")"
		case valueFree:
			action = ":" + strings.TrimLeft(f.dashed()[0], "-") + ": "
		}
		repeat := ""
		if f.repeatable {
			repeat = "*"
		}
		for _, n := range f.dashed() {
			name := n
			if f.kind != valueNone && strings.HasPrefix(n, "--") {
				name += "="
			}
			out = append(out, shellQuote(repeat+name+desc+action))
		}
	}
	return out
}

// zshEscape puts a backslash before each of chars (and before a
// backslash) for _arguments and _describe.
func zshEscape(s, chars string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '\\' || strings.ContainsRune(chars, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fishValues adds what urfave/cli's fish script lacks: the values of the
// flags that take one of a few words.
func fishValues(t compTree) string {
	var b strings.Builder
	b.WriteString("\n# Added by chainfix: no file names before the command; the values of flags.\n")
	fmt.Fprintf(&b, "complete -c %s -n %s -f\n", t.name, shellQuote("__fish_"+t.name+"_no_subcommand"))
	line := func(cond string, f compFlag) {
		if len(f.words) == 0 {
			return
		}
		fmt.Fprintf(&b, "complete -c %s -n %s", t.name, shellQuote(cond))
		for _, n := range f.long {
			fmt.Fprintf(&b, " -l %s", n)
		}
		for _, n := range f.short {
			fmt.Fprintf(&b, " -s %s", n)
		}
		opt := "-x" // exclusive: the words only
		if f.kind == valueFile {
			opt = "-r" // the words or a file
		}
		fmt.Fprintf(&b, " %s -a %s\n", opt, shellQuote(strings.Join(f.words, " ")))
	}
	for _, f := range t.global {
		line("__fish_"+t.name+"_no_subcommand", f)
	}
	for _, c := range t.commands {
		for _, f := range c.flags {
			line("__fish_seen_subcommand_from "+c.name, f)
		}
		if c.args == valueWords {
			fmt.Fprintf(&b, "complete -c %s -n %s -f -a %s\n", t.name, shellQuote("__fish_seen_subcommand_from "+c.name), shellQuote(strings.Join(c.argWords, " ")))
		}
	}
	return b.String()
}

// powershellCompletion registers a native argument completer: the same
// rules as bash, written as data the script block reads. Returning nothing
// lets PowerShell complete paths, which is what a file position wants.
func powershellCompletion(t compTree) string {
	psList := func(words []string) string {
		var q []string
		for _, w := range words {
			q = append(q, "'"+strings.ReplaceAll(w, "'", "''")+"'")
		}
		return "@(" + strings.Join(q, ", ") + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# PowerShell completion for %[1]s; generated by \"%[1]s completion powershell\"\n", t.name)
	fmt.Fprintf(&b, "Register-ArgumentCompleter -Native -CommandName %s -ScriptBlock {\n", psList([]string{t.name, t.name + ".exe"}))
	b.WriteString("    param($wordToComplete, $commandAst, $cursorPosition)\n")
	fmt.Fprintf(&b, "    $commands = %s\n", psList(t.commandNames()))
	fmt.Fprintf(&b, "    $globalFlags = %s\n", psList(t.allFlags(t.global)))
	fmt.Fprintf(&b, "    $globalValueFlags = %s\n", psList(valueFlags(t.global)))
	b.WriteString("    # flags per command; values per 'command flag' ('' = before the command);\n    # a flag in $fileFlags completes paths (nothing returned), its words too\n")
	b.WriteString("    $flags = @{\n")
	for _, c := range t.commands {
		fmt.Fprintf(&b, "        '%s' = %s\n", c.name, psList(t.allFlags(c.flags)))
	}
	b.WriteString("    }\n    $values = @{\n")
	var fileFlags []string
	addValues := func(cmd string, fs []compFlag) {
		for _, f := range fs {
			for _, n := range f.dashed() {
				if f.kind == valueFile || f.kind == valueDir {
					fileFlags = append(fileFlags, cmd+" "+n)
				}
				if f.kind != valueNone {
					fmt.Fprintf(&b, "        '%s %s' = %s\n", cmd, n, psList(f.words))
				}
			}
		}
	}
	addValues("", t.global)
	for _, c := range t.commands {
		addValues(c.name, c.flags)
	}
	b.WriteString("    }\n    $positional = @{\n")
	for _, c := range t.commands {
		if c.args == valueWords {
			fmt.Fprintf(&b, "        '%s' = %s\n", c.name, psList(c.argWords))
		}
	}
	b.WriteString("    }\n")
	fmt.Fprintf(&b, "    $fileFlags = %s\n", psList(fileFlags))
	b.WriteString(`    $words = @($commandAst.CommandElements |
        Where-Object { $_.Extent.EndOffset -le $cursorPosition } |
        ForEach-Object { $_.ToString() })
    if ($wordToComplete -ne '' -and $words.Count -gt 1 -and $words[-1] -eq $wordToComplete) {
        $words = $words[0..($words.Count - 2)]
    }
    $cmd = ''
    for ($i = 1; $i -lt $words.Count; $i++) {
        $w = $words[$i]
        if ($w -like '-*') {
            if ($globalValueFlags -contains $w) { $i++ }
            continue
        }
        $cmd = $w
        break
    }
    $prev = ''
    if ($words.Count -gt 1) { $prev = $words[-1] }
    $key = "$cmd $prev"
    if (-not $values.ContainsKey($key) -and $values.ContainsKey(" $prev")) { $key = " $prev" }
    $candidates = @()
    if ($values.ContainsKey($key)) {
        $candidates = $values[$key]
        if ($fileFlags -contains $key -and -not ($candidates | Where-Object { $_ -like "$wordToComplete*" })) {
            return
        }
    } elseif ($cmd -eq '') {
        if ($wordToComplete -like '-*') { $candidates = $globalFlags } else { $candidates = $commands }
    } elseif ($wordToComplete -like '-*') {
        $candidates = $flags[$cmd]
    } elseif ($positional.ContainsKey($cmd)) {
        $candidates = $positional[$cmd]
    } else {
        return
    }
    $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
`)
	return b.String()
}
