// The texts bundled with tgkeep, as data: English (the fallback, complete) and Russian.
// Russian addresses the user politely ("вы") and is phrased so that no noun has to agree with
// a number ("{seconds} с", "осталось: {left} из {limit}"), since placeholders carry no plural
// forms. Where quotation marks are needed, Russian uses «ёлочки».
#include "bot/lexicon.hpp"

namespace tgkeep::bot {

namespace {

constexpr LexiconEntry kEntries[] = {
    // English.
    {"en", text::greeting,
     "Hello, {name}! I keep every message of this chat. Write anything, or send /help."},
    {"en", text::help,
     "Here is what I can do:\n"
     "/start — greeting\n"
     "/help — this list\n"
     "/history [n] — last n messages of this chat, {default} by default\n"
     "/limits — messages left in your plan\n"
     "/reset — forget this chat's history (asks to confirm)"},
    {"en", text::history_header, "Last {count} messages of this chat:"},
    {"en", text::history_empty, "This chat has no stored messages yet."},
    {"en", text::history_line_user, "you: {text}"},
    {"en", text::history_line_assistant, "bot: {text}"},
    {"en", text::history_usage, "Usage: /history [n], n from 1 to {max}."},
    {"en", text::reset_confirm,
     "This forgets every stored message of this chat. Press “Forget” or send /reset again "
     "within {seconds} seconds to confirm."},
    {"en", text::reset_done, "Done: I have forgotten this chat's history."},
    {"en", text::reset_cancelled, "Kept: nothing was forgotten."},
    {"en", text::reset_expired, "This question has expired. Send /reset again."},
    {"en", text::button_help, "❓ Help"},
    {"en", text::button_history, "📜 History"},
    {"en", text::button_reset_yes, "🗑 Forget"},
    {"en", text::button_reset_no, "Keep"},
    {"en", text::unknown_command, "I don't know {command}. /help lists what I can do."},
    {"en", text::limit_reached,
     "You have used all {limit} messages of your plan “{tariff}” for {period}. It renews at "
     "{reset} UTC."},
    {"en", text::limits_left,
     "Plan “{tariff}”: {left} of {limit} messages left for {period}. It renews at {reset} UTC."},
    {"en", text::period_hour, "this hour"},
    {"en", text::period_day, "today"},
    {"en", text::period_week, "this week"},
    {"en", text::period_month, "this month"},
    {"en", text::error_temporary, "Something went wrong on my side. Please try again in a minute."},

    // Russian.
    {"ru", text::greeting,
     "Здравствуйте, {name}! Я сохраняю каждое сообщение этого чата. Напишите что-нибудь "
     "или отправьте /help."},
    {"ru", text::help,
     "Вот что я умею:\n"
     "/start — приветствие\n"
     "/help — этот список\n"
     "/history [n] — последние n сообщений этого чата, по умолчанию {default}\n"
     "/limits — сколько сообщений осталось по тарифу\n"
     "/reset — забыть историю этого чата (с подтверждением)"},
    {"ru", text::history_header, "Последние сообщения этого чата ({count}):"},
    {"ru", text::history_empty, "В этом чате пока нет сохранённых сообщений."},
    {"ru", text::history_line_user, "вы: {text}"},
    {"ru", text::history_line_assistant, "бот: {text}"},
    {"ru", text::history_usage, "Использование: /history [n], где n — число от 1 до {max}."},
    {"ru", text::reset_confirm,
     "Все сохранённые сообщения этого чата будут забыты. Чтобы подтвердить, нажмите «Удалить» "
     "или отправьте /reset ещё раз в течение {seconds} с."},
    {"ru", text::reset_done, "Готово: история этого чата удалена."},
    {"ru", text::reset_cancelled, "Оставил всё как есть: ничего не удалено."},
    {"ru", text::reset_expired, "Этот вопрос устарел. Отправьте /reset ещё раз."},
    {"ru", text::button_help, "❓ Помощь"},
    {"ru", text::button_history, "📜 История"},
    {"ru", text::button_reset_yes, "🗑 Удалить"},
    {"ru", text::button_reset_no, "Оставить"},
    {"ru", text::unknown_command,
     "Я не знаю команды {command}. Отправьте /help, чтобы узнать, что я умею."},
    {"ru", text::limit_reached,
     "Лимит тарифа «{tariff}» исчерпан: {limit} сообщений за период «{period}». Он обновится "
     "{reset} UTC."},
    {"ru", text::limits_left,
     "Тариф «{tariff}»: осталось {left} из {limit} сообщений за период «{period}». Лимит "
     "обновится {reset} UTC."},
    {"ru", text::period_hour, "час"},
    {"ru", text::period_day, "день"},
    {"ru", text::period_week, "неделя"},
    {"ru", text::period_month, "месяц"},
    {"ru", text::error_temporary,
     "У меня что-то пошло не так. Пожалуйста, попробуйте ещё раз через минуту."},
};

}  // namespace

std::span<const LexiconEntry> bundled_lexicon_entries() {
  return kEntries;
}

}  // namespace tgkeep::bot
