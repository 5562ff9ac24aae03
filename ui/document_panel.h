// The strip above the composer while a document is being summarized (ChatController::summaryJob()): what the
// document is (title, format, pages, tokens), the plan (chunks, passes, time, memory; the full
// SummaryPlan::describe() in its tooltip), the options (length, focus, language), Summarize / Resume and
// Cancel, the run's progress ("chunk 3 of 12 · 1 min 05 s elapsed · about 3 min left"), the partial
// summaries as they finish, and what went wrong when reading or planning failed. × forgets the document.
//
// The panel only shows what it is given and says what the user asked for through signals; the window wires
// both to the controller (main_window_documents.cpp). It keeps no pointer to the job: showJob() copies what
// it renders.
#pragma once

#include "chat/summary_job.h"
#include "worker/summary_request.h"

#include <QFrame>
#include <QStringList>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QToolButton;

namespace vela::ui {

// For file dialogs: "Documents (*.txt *.md …);;All files (*)".
QString documentFileFilter();

class DocumentPanel : public QFrame {
    Q_OBJECT

public:
    explicit DocumentPanel(QWidget* parent = nullptr);

    // Renders `job` (null: hidden, unless a refusal shows). `canStart`: the chat could start it now (a model
    // is loaded, nothing else is being generated).
    void showJob(const vela::app::SummaryJob* job, bool canStart);
    void showProgress(const vela::app::SummaryProgressInfo& progress);
    // A document that could not even be opened (no model loaded, a chat answer in flight): `message` in the
    // error style, under the file's name, until × or the next document.
    void showRefusal(const QString& path, const QString& message);

    // What the panel shows, for tests and the window.
    QString titleText() const;
    QString planText() const;
    QString statusText() const;    // the stage line: "Reading…", "Stopped after …", "Summary added to the chat."
    QString errorText() const;     // "" when no error shows
    QString progressText() const;  // "chunk 3 of 12 · …" ("" when no run shows)
    QStringList partialTexts() const;  // the list's lines, in run order
    QPushButton* startButton() const { return m_start; }
    QPushButton* cancelButton() const { return m_cancel; }
    QToolButton* closeButton() const { return m_close; }
    QComboBox* lengthBox() const { return m_length; }
    QLineEdit* focusEdit() const { return m_focus; }
    QLineEdit* languageEdit() const { return m_language; }
    QProgressBar* progressBar() const { return m_progress; }
    QListWidget* partialList() const { return m_partials; }

signals:
    void startRequested();   // Summarize, or Resume
    void cancelRequested();  // stop the run (the partials stay)
    void closeRequested();   // forget the document
    void optionsChanged(const vela::app::SummaryOptions& options);

private:
    void buildLayout();
    QWidget* buildOptionsRow();
    void showTitle(const vela::app::SummaryJob& job);
    void showStage(const vela::app::SummaryJob& job, bool canStart);
    void showOptions(const vela::app::SummaryOptions& options);
    void showPartials(const QList<vela::app::PartialSummary>& partials);
    void rememberSteps(const vela::app::SummaryPlan& plan);
    void showError(const QString& message);
    void dismiss();
    void emitOptionsIfChanged();
    vela::app::SummaryOptions chosenOptions() const;

    QLabel* m_title;
    QLabel* m_details;
    QToolButton* m_close;
    QLabel* m_plan;
    QLabel* m_status;
    QLabel* m_error;
    QProgressBar* m_progress;
    QLabel* m_progressLabel;
    QWidget* m_options;
    QComboBox* m_length;
    QLineEdit* m_focus;
    QLineEdit* m_language;
    QPushButton* m_start;
    QPushButton* m_cancel;
    QListWidget* m_partials;

    vela::app::SummaryOptions m_shownOptions;  // what the option widgets were last set to or last said
    QStringList m_stepNames;  // the plan's steps as the progress line names them ("chunk 3 of 12", …)
    bool m_running = false;
    bool m_refusal = false;  // showRefusal's message shows (no job)
};

}  // namespace vela::ui
