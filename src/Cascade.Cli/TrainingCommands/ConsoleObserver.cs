using System.Globalization;
using Cascade.Training;
using Spectre.Console;

namespace Cascade.Cli.TrainingCommands;

/// <summary>
/// Training progress on stderr: a Spectre.Console progress bar per epoch with the running loss and samples/s when
/// stderr is a terminal, and one plain line per epoch always (so nohup logs show the run too).
/// </summary>
public sealed class ConsoleObserver : ITrainingObserver
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly IAnsiConsole _console;
    private readonly bool _interactive;
    private ProgressContext? _context;
    private ProgressTask? _task;
    private System.Diagnostics.Stopwatch _clock = new();
    private long _rows;
    private double _lossSum;
    private int _batches;
    private string _prefix = "";

    /// <summary>Creates the observer writing to stderr.</summary>
    public ConsoleObserver()
    {
        _interactive = !Console.IsErrorRedirected;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Interactive = _interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = _interactive ? AnsiSupport.Detect : AnsiSupport.No,
        });
    }

    /// <summary>Text put before every epoch line (e.g. the model and seed of a reproduction run).</summary>
    public string Prefix { get => _prefix; set => _prefix = value; }

    /// <summary>Runs <paramref name="work"/> with the progress display active.</summary>
    public T Run<T>(Func<T> work)
    {
        if (!_interactive) return work();
        return _console.Progress().AutoClear(true).HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                _context = ctx;
                try { return work(); }
                finally { _context = null; }
            });
    }

    /// <inheritdoc/>
    public void EpochStarted(int epoch, int batches, int batchSize)
    {
        _rows = 0; _lossSum = 0; _batches = 0;
        _clock = System.Diagnostics.Stopwatch.StartNew();
        _task = _context?.AddTask($"{Markup.Escape(_prefix)}epoch {epoch + 1}", maxValue: batches);
    }

    /// <inheritdoc/>
    public void BatchDone(int rows, double loss)
    {
        _rows += rows; _lossSum += loss; _batches++;
        if (_task is null) return;
        _task.Increment(1);
        if (_batches % 8 == 0 || _task.IsFinished)
        {
            double rate = _rows / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
            _task.Description = string.Create(Inv, $"{Markup.Escape(_prefix)}epoch loss/batch {_lossSum / _batches:F4}  {rate:N0} samples/s");
        }
    }

    /// <inheritdoc/>
    public void EpochDone(EpochLog log, bool improved)
    {
        _task?.StopTask();
        Message(string.Create(Inv,
            $"{_prefix}epoch {log.Epoch + 1}: train loss {log.TrainLoss:F5}, val AUC {log.Validation.Auc:F4}, val logloss {log.Validation.LogLoss:F4}, {log.TrainSeconds:F1} s, {log.SamplesPerSecond:N0} samples/s{(improved ? " (best)" : "")}"));
    }

    /// <inheritdoc/>
    public void Message(string text)
    {
        string line = $"[{DateTime.UtcNow:HH:mm:ss}] {text}";
        if (_interactive) _console.MarkupLine(Markup.Escape(line));
        else Console.Error.WriteLine(line);
    }
}
