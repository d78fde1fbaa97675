// Typed decoding of realistic Bot API updates, as Telegram sends them.
#include "telegram/update_parser.hpp"

#include <string>

#include <gtest/gtest.h>

namespace tgkeep::telegram {
namespace {

Update parse_one(std::string_view json) {
  UpdateParser parser;
  auto update = parser.parse_update(json);
  EXPECT_TRUE(update.ok()) << (update.ok() ? "" : update.error().message);
  return update.ok() ? std::move(update).value() : Update{};
}

constexpr std::string_view kPrivateText =
    R"({"update_id":727,"message":{"message_id":1365,"from":{"id":123456789,"is_bot":false,)"
    R"("first_name":"Иван","last_name":"Петров","username":"ivanp","language_code":"ru",)"
    R"("is_premium":true},"chat":{"id":123456789,"first_name":"Иван","last_name":"Петров",)"
    R"("username":"ivanp","type":"private"},"date":1717171717,)"
    R"("text":"/start \u043f\u0440\u0438\u0432\u0435\u0442 \ud83d\ude00 👍",)"
    R"("entities":[{"offset":0,"length":6,"type":"bot_command"}],)"
    R"("link_preview_options":{"is_disabled":true}}})";

TEST(UpdateParser, PrivateTextMessage) {
  const Update u = parse_one(kPrivateText);
  EXPECT_EQ(u.update_id, 727);
  EXPECT_EQ(u.kind, UpdateKind::message);
  EXPECT_EQ(u.type, "message");
  EXPECT_EQ(u.raw_json, kPrivateText);
  ASSERT_TRUE(u.message);
  const Message& m = *u.message;
  EXPECT_EQ(m.message_id, 1365);
  EXPECT_EQ(m.date, 1717171717);
  EXPECT_FALSE(m.edit_date);
  EXPECT_EQ(m.chat.id, 123456789);
  EXPECT_EQ(m.chat.type, "private");
  EXPECT_EQ(m.chat.username, "ivanp");
  EXPECT_FALSE(m.chat.is_group());
  ASSERT_TRUE(m.from);
  EXPECT_EQ(m.from->id, 123456789);
  EXPECT_FALSE(m.from->is_bot);
  EXPECT_EQ(m.from->first_name, "Иван");
  EXPECT_EQ(m.from->last_name, "Петров");
  EXPECT_EQ(m.from->language_code, "ru");
  EXPECT_TRUE(m.has_text);
  EXPECT_EQ(m.text, "/start привет 😀 👍");
  EXPECT_EQ(u.chat_id(), 123456789);
  ASSERT_NE(u.sender(), nullptr);
  EXPECT_EQ(u.sender()->username, "ivanp");
  EXPECT_FALSE(u.is_edit());
}

TEST(UpdateParser, GroupPhotoWithCaptionReplyAndForward) {
  const Update u = parse_one(R"json({
    "update_id": 728,
    "message": {
      "message_id": 42,
      "from": {"id": 555, "is_bot": false, "first_name": "Anna"},
      "chat": {"id": -1001234567890, "title": "Книжный клуб", "type": "supergroup",
               "is_forum": true},
      "date": 1717171800,
      "message_thread_id": 7,
      "is_topic_message": true,
      "reply_to_message": {"message_id": 40, "from": {"id": 777, "is_bot": true,
        "first_name": "Bot", "username": "keep_bot"}, "chat": {"id": -1001234567890,
        "type": "supergroup", "title": "Книжный клуб"}, "date": 1717171000, "text": "old"},
      "forward_origin": {"type": "user", "sender_user": {"id": 999, "is_bot": false,
        "first_name": "Z"}, "date": 1717000000},
      "photo": [
        {"file_id": "AgACAgIAAxkBAAIB", "file_unique_id": "AQADx", "file_size": 1234,
         "width": 90, "height": 67},
        {"file_id": "AgACAgIAAxkBAAIC", "file_unique_id": "AQADy", "file_size": 45678,
         "width": 800, "height": 600}
      ],
      "caption": "Смотрите \"это\" 📚",
      "caption_entities": [{"offset": 0, "length": 8, "type": "bold"}]
    }
  })json");
  EXPECT_EQ(u.kind, UpdateKind::message);
  ASSERT_TRUE(u.message);
  EXPECT_EQ(u.message->message_id, 42);  // not the reply's
  EXPECT_EQ(u.message->chat.id, -1001234567890);
  EXPECT_EQ(u.message->chat.title, "Книжный клуб");
  EXPECT_TRUE(u.message->chat.is_group());
  EXPECT_EQ(u.message->message_thread_id, 7);
  EXPECT_TRUE(u.message->has_text);
  EXPECT_EQ(u.message->text, "Смотрите \"это\" 📚");
  EXPECT_EQ(u.message->from->id, 555);
  // raw_json is the object itself, inner whitespace and all, without the surrounding space.
  EXPECT_EQ(u.raw_json.front(), '{');
  EXPECT_EQ(u.raw_json.back(), '}');
  EXPECT_NE(u.raw_json.find("\n      \"photo\": ["), std::string::npos);
}

TEST(UpdateParser, TextWinsOverCaptionAndEscapesAreDecoded) {
  const Update u = parse_one(
      R"({"update_id":1,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"date":1,)"
      R"("caption":"cap","text":"a \"b\" \\ c\nd\te \u00e9 \/"}})");
  ASSERT_TRUE(u.message);
  EXPECT_EQ(u.message->text, "a \"b\" \\ c\nd\te \u00e9 /");
}

TEST(UpdateParser, StickerHasNoText) {
  const Update u = parse_one(
      R"({"update_id":2,"message":{"message_id":5,"from":{"id":1,"is_bot":false,)"
      R"("first_name":"A"},"chat":{"id":1,"type":"private"},"date":1,"sticker":{"file_id":"x",)"
      R"("file_unique_id":"y","type":"regular","width":512,"height":512,"is_animated":false,)"
      R"("is_video":false,"emoji":"😀"}}})");
  ASSERT_TRUE(u.message);
  EXPECT_FALSE(u.message->has_text);
  EXPECT_TRUE(u.message->text.empty());
}

TEST(UpdateParser, EmptyTextIsStillText) {
  const Update u = parse_one(
      R"({"update_id":2,"message":{"message_id":5,"chat":{"id":1},"date":1,"caption":""}})");
  ASSERT_TRUE(u.message);
  EXPECT_TRUE(u.message->has_text);
  EXPECT_EQ(u.message->text, "");
}

TEST(UpdateParser, EditedMessage) {
  const Update u = parse_one(
      R"({"update_id":3,"edited_message":{"message_id":9,"from":{"id":7,"is_bot":false,)"
      R"("first_name":"B"},"chat":{"id":-100,"title":"g","type":"group"},"date":1700000000,)"
      R"("edit_date":1700000100,"text":"fixed"}})");
  EXPECT_EQ(u.kind, UpdateKind::edited_message);
  EXPECT_EQ(u.type, "edited_message");
  EXPECT_TRUE(u.is_edit());
  ASSERT_TRUE(u.message);
  EXPECT_EQ(u.message->edit_date, 1700000100);
  EXPECT_EQ(u.message->text, "fixed");
  EXPECT_EQ(u.chat_id(), -100);
}

TEST(UpdateParser, ChannelPostHasSenderChatAndNoFrom) {
  const Update u = parse_one(
      R"({"update_id":4,"channel_post":{"message_id":100,"sender_chat":{"id":-1009,)"
      R"("title":"News","type":"channel","username":"news"},"chat":{"id":-1009,"title":"News",)"
      R"("type":"channel","username":"news"},"date":1700000000,"text":"Новости"}})");
  EXPECT_EQ(u.kind, UpdateKind::channel_post);
  ASSERT_TRUE(u.message);
  EXPECT_FALSE(u.message->from);
  EXPECT_EQ(u.message->sender_chat_id, -1009);
  EXPECT_EQ(u.message->chat.type, "channel");
  EXPECT_EQ(u.sender(), nullptr);
  EXPECT_EQ(u.chat_id(), -1009);
}

TEST(UpdateParser, EditedChannelPost) {
  const Update u =
      parse_one(R"({"update_id":5,"edited_channel_post":{"message_id":100,"chat":{"id":-1009,)"
                R"("type":"channel"},"date":1,"edit_date":2,"text":"x"}})");
  EXPECT_EQ(u.kind, UpdateKind::edited_channel_post);
  EXPECT_TRUE(u.is_edit());
}

TEST(UpdateParser, BusinessMessages) {
  const Update u = parse_one(
      R"({"update_id":6,"business_message":{"business_connection_id":"AbCdEf123",)"
      R"("message_id":11,"from":{"id":42,"is_bot":false,"first_name":"Client"},)"
      R"("chat":{"id":42,"type":"private","first_name":"Client"},"date":1,"text":"hello"}})");
  EXPECT_EQ(u.kind, UpdateKind::business_message);
  ASSERT_TRUE(u.message);
  EXPECT_EQ(u.message->business_connection_id, "AbCdEf123");
  const Update e = parse_one(
      R"({"update_id":7,"edited_business_message":{"business_connection_id":"AbCdEf123",)"
      R"("message_id":11,"chat":{"id":42,"type":"private"},"date":1,"edit_date":3,"text":"hi"}})");
  EXPECT_EQ(e.kind, UpdateKind::edited_business_message);
  EXPECT_TRUE(e.is_edit());
  EXPECT_STREQ(kind_name(e.kind), "edited_business_message");
}

TEST(UpdateParser, CallbackQueryWithMessage) {
  const Update u = parse_one(
      R"({"update_id":8,"callback_query":{"id":"4382bfdwdsb323b2d9","from":{"id":99,)"
      R"("is_bot":false,"first_name":"C","username":"cc"},"message":{"message_id":77,)"
      R"("from":{"id":777,"is_bot":true,"first_name":"Bot"},"chat":{"id":99,"type":"private"},)"
      R"("date":1700000000,"text":"Pick one","reply_markup":{"inline_keyboard":[[{"text":"A",)"
      R"("callback_data":"pick:a"}]]}},"chat_instance":"-123","data":"pick:a"}})");
  EXPECT_EQ(u.kind, UpdateKind::callback_query);
  EXPECT_FALSE(u.message);
  ASSERT_TRUE(u.callback_query);
  EXPECT_EQ(u.callback_query->id, "4382bfdwdsb323b2d9");
  EXPECT_EQ(u.callback_query->data, "pick:a");
  EXPECT_EQ(u.callback_query->from.id, 99);
  ASSERT_TRUE(u.callback_query->message);
  EXPECT_EQ(u.callback_query->message->message_id, 77);
  EXPECT_EQ(u.callback_query->message->text, "Pick one");
  EXPECT_EQ(u.chat_id(), 99);
  ASSERT_NE(u.sender(), nullptr);
  EXPECT_EQ(u.sender()->username, "cc");
}

TEST(UpdateParser, CallbackQueryFromInlineMessage) {
  const Update u =
      parse_one(R"({"update_id":9,"callback_query":{"id":"q2","from":{"id":5,"is_bot":false,)"
                R"("first_name":"D"},"inline_message_id":"AAAA-inline","chat_instance":"1",)"
                R"("data":"x"}})");
  ASSERT_TRUE(u.callback_query);
  EXPECT_FALSE(u.callback_query->message);
  EXPECT_EQ(u.callback_query->inline_message_id, "AAAA-inline");
  EXPECT_EQ(u.chat_id(), std::nullopt);
  EXPECT_EQ(u.sender()->id, 5);
}

TEST(UpdateParser, CallbackQueryWithInaccessibleMessage) {
  const Update u =
      parse_one(R"({"update_id":10,"callback_query":{"id":"q3","from":{"id":5,"is_bot":false,)"
                R"("first_name":"D"},"message":{"chat":{"id":5,"type":"private"},"message_id":3,)"
                R"("date":0},"chat_instance":"1","data":"old"}})");
  ASSERT_TRUE(u.callback_query);
  ASSERT_TRUE(u.callback_query->message);
  EXPECT_EQ(u.callback_query->message->date, 0);
  EXPECT_EQ(u.callback_query->message->message_id, 3);
  EXPECT_FALSE(u.callback_query->message->has_text);
  EXPECT_EQ(u.chat_id(), 5);
}

TEST(UpdateParser, UnknownTypesAreKeptRawWithChatAndSender) {
  constexpr std::string_view member =
      R"({"update_id":11,"my_chat_member":{"chat":{"id":-100555,"title":"G","type":"group"},)"
      R"("from":{"id":8,"is_bot":false,"first_name":"Admin"},"date":1,"old_chat_member":)"
      R"({"user":{"id":777,"is_bot":true,"first_name":"Bot"},"status":"member"},)"
      R"("new_chat_member":{"user":{"id":777,"is_bot":true,"first_name":"Bot"},)"
      R"("status":"kicked","until_date":0}}})";
  const Update u = parse_one(member);
  EXPECT_EQ(u.kind, UpdateKind::other);
  EXPECT_EQ(u.type, "my_chat_member");
  EXPECT_EQ(u.raw_json, member);
  EXPECT_FALSE(u.message);
  EXPECT_EQ(u.chat_id(), -100555);
  ASSERT_NE(u.sender(), nullptr);
  EXPECT_EQ(u.sender()->id, 8);
  EXPECT_STREQ(kind_name(u.kind), "other");

  const Update r =
      parse_one(R"({"update_id":12,"message_reaction":{"chat":{"id":-1001,"type":"supergroup"},)"
                R"("message_id":5,"user":{"id":9,"is_bot":false,"first_name":"R"},"date":1,)"
                R"("old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}})");
  EXPECT_EQ(r.type, "message_reaction");
  EXPECT_EQ(r.chat_id(), -1001);
  EXPECT_EQ(r.sender()->id, 9);

  const Update f = parse_one(R"({"update_id":13,"purchased_paid_media_v9":[1,2,3]})");
  EXPECT_EQ(f.kind, UpdateKind::other);
  EXPECT_EQ(f.type, "purchased_paid_media_v9");
  EXPECT_EQ(f.chat_id(), std::nullopt);
  EXPECT_EQ(f.sender(), nullptr);

  const Update bare = parse_one(R"({"update_id":14})");
  EXPECT_EQ(bare.kind, UpdateKind::other);
  EXPECT_EQ(bare.type, "");
}

TEST(UpdateParser, TypedFieldWinsOverUnknownNeighbour) {
  const Update u =
      parse_one(R"({"update_id":15,"x_new":{"chat":{"id":1}},"message":{"message_id":1,)"
                R"("chat":{"id":2},"date":1}})");
  EXPECT_EQ(u.kind, UpdateKind::message);
  EXPECT_EQ(u.type, "message");
  EXPECT_EQ(u.chat_id(), 2);
}

TEST(UpdateParser, LoneSurrogatesAreRepairedNotFatal) {
  // Telegram can cut a name in the middle of an emoji.
  const Update u =
      parse_one(R"({"update_id":16,"message":{"message_id":1,"from":{"id":3,"is_bot":false,)"
                R"("first_name":"Ann \ud83d"},"chat":{"id":3,"type":"private"},"date":1,)"
                R"("text":"\ude00 ok \ud83d\ude00 \\ud83d"}})");
  ASSERT_TRUE(u.message);
  EXPECT_EQ(u.message->from->first_name, "Ann \uFFFD");
  EXPECT_EQ(u.message->text, "\uFFFD ok 😀 \\ud83d");
  EXPECT_NE(u.raw_json.find(R"("first_name":"Ann \ufffd")"), std::string::npos);
  EXPECT_NE(u.raw_json.find(R"("text":"\ufffd ok \ud83d\ude00 \\ud83d")"), std::string::npos);
}

TEST(UpdateParser, ParsesSendMessageResultAndGetMeResult) {
  UpdateParser parser;
  auto m = parser.parse_message(
      R"({"message_id":501,"from":{"id":777,"is_bot":true,"first_name":"Keep",)"
      R"("username":"keep_bot"},"chat":{"id":42,"first_name":"A","type":"private"},)"
      R"("date":1717171717,"text":"Ответ"})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->message_id, 501);
  EXPECT_EQ(m->text, "Ответ");
  auto user =
      parser.parse_user(R"({"id":777,"is_bot":true,"first_name":"Keep","username":"keep_bot",)"
                        R"("can_join_groups":true,"can_read_all_group_messages":false,)"
                        R"("supports_inline_queries":false,"can_connect_to_business":false})");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->id, 777);
  EXPECT_TRUE(user->is_bot);
  EXPECT_EQ(user->username, "keep_bot");
  EXPECT_FALSE(parser.parse_user(R"({"is_bot":true})").ok());
  EXPECT_FALSE(parser.parse_message(R"({"message_id":1})").ok());
}

TEST(UpdateParser, GetUpdatesBatchKeepsOrderRawTextAndMaxId) {
  const std::string body =
      std::string(R"({"ok":true,"result":[)") + std::string(kPrivateText) + ",\n  " +
      R"({"update_id":730,"callback_query":{"id":"q","from":{"id":1,"is_bot":false,)"
      R"("first_name":"a"},"data":"d","chat_instance":"c"}} , )" +
      R"({"update_id":729,"chat_join_request":{"chat":{"id":-5,"type":"supergroup"},)"
      R"("from":{"id":2,"is_bot":false,"first_name":"b"},"user_chat_id":2,"date":1}})" +
      "]}";
  UpdateParser parser;
  auto batch = parser.parse_updates(body);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  ASSERT_EQ(batch->updates.size(), 3u);
  EXPECT_TRUE(batch->rejected.empty());
  EXPECT_EQ(batch->max_update_id, 730);
  EXPECT_EQ(batch->updates[0].raw_json, kPrivateText);
  EXPECT_EQ(batch->updates[1].kind, UpdateKind::callback_query);
  EXPECT_EQ(batch->updates[1].raw_json.back(), '}');
  EXPECT_EQ(batch->updates[2].type, "chat_join_request");
  EXPECT_EQ(batch->updates[2].chat_id(), -5);
}

TEST(UpdateParser, EmptyBatch) {
  UpdateParser parser;
  auto batch = parser.parse_updates(R"({"ok":true,"result":[]})");
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->updates.empty());
  EXPECT_FALSE(batch->max_update_id);
}

TEST(UpdateParser, ReusedParserGivesIndependentResults) {
  UpdateParser parser;
  std::string big = R"({"ok":true,"result":[)";
  for (int i = 0; i < 100; ++i) {
    if (i) big += ',';
    big += R"({"update_id":)" + std::to_string(1000 + i) +
           R"(,"message":{"message_id":1,"chat":{"id":)" + std::to_string(i) +
           R"(},"date":1,"text":")" + std::string(500, 'x') + R"("}})";
  }
  big += "]}";
  auto first = parser.parse_updates(big);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->updates.size(), 100u);
  EXPECT_EQ(first->max_update_id, 1099);
  auto second = parser.parse_updates(R"({"ok":true,"result":[{"update_id":1}]})");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->updates[0].raw_json, R"({"update_id":1})");
  EXPECT_EQ(first->updates[99].message->chat.id, 99);  // earlier results own their strings
  EXPECT_EQ(first->updates[99].message->text.size(), 500u);
}

}  // namespace
}  // namespace tgkeep::telegram
