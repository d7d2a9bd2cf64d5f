package notify

import (
	"context"
	"fmt"
	"sync"

	amqp "github.com/rabbitmq/amqp091-go"
)

// amqpSender publishes persistent messages on a confirming channel: a
// send succeeds once the broker has confirmed every message.
type amqpSender struct {
	cfg  TargetConfig
	mu   sync.Mutex
	conn *amqp.Connection
	ch   *amqp.Channel
	// returns gets messages the broker could not route (published
	// mandatory): a send with one fails instead of losing it.
	returns chan amqp.Return
}

func (s *amqpSender) connect() error {
	if s.ch != nil && !s.ch.IsClosed() && !s.conn.IsClosed() {
		return nil
	}
	s.drop()
	conn, err := amqp.Dial(withPassword(s.cfg.URL, s.cfg.Password))
	if err != nil {
		return fmt.Errorf("amqp: %s", errWithoutURL(err))
	}
	ch, err := conn.Channel()
	if err == nil {
		err = ch.Confirm(false)
	}
	if err == nil && s.cfg.Queue != "" {
		_, err = ch.QueueDeclare(s.cfg.Queue, true, false, false, false, nil)
		if err == nil && s.cfg.Exchange != "" {
			err = ch.QueueBind(s.cfg.Queue, s.cfg.RoutingKey, s.cfg.Exchange, false, nil)
		}
	}
	if err != nil {
		conn.Close()
		return err
	}
	s.conn, s.ch = conn, ch
	s.returns = ch.NotifyReturn(make(chan amqp.Return, 64))
	return nil
}

func (s *amqpSender) drop() {
	if s.conn != nil {
		s.conn.Close()
	}
	s.conn, s.ch = nil, nil
}

func (s *amqpSender) Send(ctx context.Context, msgs []Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.connect(); err != nil {
		return err
	}
	confirms := make([]*amqp.DeferredConfirmation, 0, len(msgs))
	for _, m := range msgs {
		c, err := s.ch.PublishWithDeferredConfirmWithContext(ctx, s.cfg.Exchange, s.cfg.RoutingKey, true, false, amqp.Publishing{
			ContentType: "application/json", DeliveryMode: amqp.Persistent, MessageId: m.ID, Type: m.Event, Body: m.Body,
		})
		if err != nil {
			s.drop()
			return err
		}
		confirms = append(confirms, c)
	}
	for _, c := range confirms {
		ok, err := c.WaitContext(ctx)
		if err != nil || !ok {
			s.drop()
			if err == nil {
				err = fmt.Errorf("amqp: the broker refused a message")
			}
			return err
		}
	}
	// The broker sends basic.return before the confirm of that message.
	select {
	case r := <-s.returns:
		s.drop()
		return fmt.Errorf("amqp: the broker could not route the message (%d %s): no queue bound to exchange %q key %q", r.ReplyCode, r.ReplyText, s.cfg.Exchange, s.cfg.RoutingKey)
	default:
	}
	return nil
}

func (s *amqpSender) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop()
	return nil
}
