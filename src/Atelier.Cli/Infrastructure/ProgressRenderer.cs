using System.Diagnostics;
using System.Globalization;
using Atelier.Runtime;
using Spectre.Console;

namespace Atelier.Cli.Infrastructure;

/// <summary>
/// Renders <see cref="ProgressReport"/>s: a Spectre.Console bar with ETA on an interactive terminal, plain
/// lines every few seconds when stderr is redirected (CI logs), nothing under --quiet or --json.
/// </summary>
public static class ProgressRenderer
{
    public static T Run<T>(CliContext ctx, string title, Func<IProgress<ProgressReport>, T> work)
    {
        if (ctx.Quiet || ctx.Json) return work(new InlineProgress(_ => { }));
        bool interactive = ReferenceEquals(ctx.Err, Console.Error) && !Console.IsErrorRedirected;
        if (!interactive) return RunPlain(ctx, title, work);

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                     new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(pc =>
            {
                var task = pc.AddTask(Markup.Escape(title), maxValue: 1);
                result = work(new InlineProgress(r =>
                {
                    if (r.Total > 0) { task.MaxValue = r.Total; task.Value = Math.Min(r.Step, r.Total); }
                    task.Description = Markup.Escape(Describe(title, r));
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }

    static T RunPlain<T>(CliContext ctx, string title, Func<IProgress<ProgressReport>, T> work)
    {
        var clock = Stopwatch.StartNew();
        double lastPrint = -10;
        (long Step, double Time)? first = null;
        var result = work(new InlineProgress(r =>
        {
            var now = clock.Elapsed.TotalSeconds;
            first ??= (r.Step, now);
            if (now - lastPrint < 5 && r.Step < r.Total) return;
            lastPrint = now;
            string eta = RemainingSeconds(first.Value.Step, first.Value.Time, r.Step, now, r.Total) is { } left ? $", ETA {FormatTime(left)}" : "";
            ctx.Err.WriteLine($"{Describe(title, r)}: {r.Step}/{r.Total} ({r.Fraction:P0}){eta}");
        }));
        ctx.Err.WriteLine($"{title}: done in {FormatTime(clock.Elapsed.TotalSeconds)}");
        return result;
    }

    /// <summary>
    /// Seconds left at the rate seen since the first report; null until a step has been timed. The first report's
    /// step, not 0, is the start: a resumed run begins at its checkpoint's step, and counting from 0 made its ETA
    /// far too short.
    /// </summary>
    public static double? RemainingSeconds(long firstStep, double firstTime, long step, double now, long total)
    {
        if (total <= 0 || step <= firstStep || now <= firstTime) return null;
        return (now - firstTime) / (step - firstStep) * Math.Max(0, total - step);
    }

    static string Describe(string title, ProgressReport r)
    {
        var s = string.IsNullOrEmpty(r.Stage) ? title : $"{title} [{r.Stage}]";
        if (r.Metrics is { Count: > 0 } m)
            s += " " + string.Join(" ", m.Select(kv => $"{kv.Key}={kv.Value.ToString("G4", CultureInfo.InvariantCulture)}"));
        return s;
    }

    static string FormatTime(double seconds) =>
        TimeSpan.FromSeconds(Math.Max(0, seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);
}
