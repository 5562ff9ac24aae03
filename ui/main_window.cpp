#include "main_window.h"

#include <QLabel>

namespace vela::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle("Vela");
    resize(1000, 700);
    auto* placeholder = new QLabel(tr("<h2>Vela</h2><p>Local language models on your own GPU.</p>"
                                      "<p>Chat arrives in a later version; try <tt>vela-cli info -m MODEL</tt>.</p>"),
                                   this);
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);
}

}  // namespace vela::ui
