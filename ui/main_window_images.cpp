// The main window's images: the composer's message with images goes to the controller (the composer keeps
// text and images when it is refused, and the reason shows above it), the composer learns what the loaded
// model does with images, and a projector chosen in the model panel reloads the model with it.
#include "main_window.h"

#include "composer.h"
#include "model_panel.h"

namespace vela::ui {

using vela::app::ChatController;

void MainWindow::connectImageActions()
{
    connect(m_composer, &Composer::sendWithImagesRequested, this,
            [this](const QString& text, const QList<vela::app::MessageImage>& images) {
                if (m_chat.sendWithImages(text, images))
                    m_composer->clearAfterSend();
            });
    connect(&m_chat, &ChatController::imagesRefused, m_composer, &Composer::showImageNote);
    connect(m_modelPanel, &ModelPanel::projectorRequested, &m_chat, &ChatController::setProjector);
    connect(&m_chat, &ChatController::modelReady, this, &MainWindow::updateVision);
    connect(&m_chat, &ChatController::modelLost, this, &MainWindow::updateVision);
    connect(&m_chat, &ChatController::loadFailed, this, &MainWindow::updateVision);
    updateVision();
}

void MainWindow::updateVision()
{
    const bool loaded = m_chat.hasModel();
    m_composer->setVision(loaded ? m_chat.model().vision : vela::app::VisionKind::None,
                          loaded ? m_chat.model().name : QString(), loaded);
}

}  // namespace vela::ui
